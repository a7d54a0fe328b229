//! The sink and sanitizer tables: which calls are dangerous with event data in which
//! argument, per language, and which calls make a value safe (for which kinds of sink).

use super::engine::{
    ALL_KINDS, Analyzer, CallInfo, Lang, Taint, bit, is_function, is_string_literal, literal_value,
    union,
};
use super::symbols::named;
use perimeter_model::SinkKind;
use tree_sitter::Node;

/// Which sink kinds a call's result is clean for, when the call is a sanitizer.
pub fn sanitizer(lang: Lang, canonical: &str, method: &str) -> Option<u8> {
    let path = bit(SinkKind::Path);
    let ssrf = bit(SinkKind::Ssrf);
    let os = bit(SinkKind::OsCommand);
    let sql = bit(SinkKind::Sql);
    match lang {
        Lang::Python => match canonical {
            "int"
            | "float"
            | "bool"
            | "len"
            | "uuid.UUID"
            | "ipaddress.ip_address"
            | "ipaddress.ip_network"
            | "hash"
            | "abs"
            | "round"
            | "decimal.Decimal"
            | "Decimal" => Some(ALL_KINDS),
            "shlex.quote" | "pipes.quote" => Some(os),
            "os.path.basename" | "werkzeug.utils.secure_filename" | "secure_filename" => Some(path),
            "urllib.parse.quote" | "urllib.parse.quote_plus" => Some(path | ssrf | os),
            _ if canonical.starts_with("hashlib.") => Some(ALL_KINDS),
            _ if method == "escape_string" || method == "literal" => Some(sql),
            _ => None,
        },
        Lang::Js => match canonical {
            "parseInt" | "parseFloat" | "Number" | "Boolean" | "Number.parseInt"
            | "Number.parseFloat" | "Math.floor" | "Math.round" | "Math.abs" | "BigInt" => {
                Some(ALL_KINDS)
            }
            "path.basename" => Some(path),
            "encodeURIComponent" => Some(path | ssrf | os),
            "shell-quote.quote" | "shell-escape" | "shellescape" => Some(os),
            "pg-format" | "sqlstring.escape" | "mysql.escape" | "mysql.format"
            | "mysql2.escape" => Some(sql),
            _ if method == "escape" && !canonical.starts_with("validator") => Some(sql),
            _ if canonical.starts_with("crypto.") => Some(ALL_KINDS),
            _ => None,
        },
        Lang::Go => match canonical {
            "strconv.Atoi" | "strconv.ParseInt" | "strconv.ParseFloat" | "strconv.ParseBool"
            | "strconv.ParseUint" | "uuid.Parse" => Some(ALL_KINDS),
            "filepath.Base" | "path.Base" => Some(path),
            "url.QueryEscape" | "url.PathEscape" => Some(path | ssrf | os),
            _ => None,
        },
        Lang::Java => match method {
            "parseInt" | "parseLong" | "parseDouble" | "parseBoolean" | "fromString"
            | "hashCode" | "length" | "size" => Some(ALL_KINDS),
            "getName" if canonical.contains("FilenameUtils") => Some(path),
            "getFileName" => Some(path),
            "encodeForSQL" => Some(sql),
            "encodeForOS" => Some(os),
            "valueOf" if canonical.starts_with("Integer.") || canonical.starts_with("Long.") => {
                Some(ALL_KINDS)
            }
            _ => None,
        },
    }
}

const SHELLS: &[&str] = &[
    "sh",
    "bash",
    "/bin/sh",
    "/bin/bash",
    "/usr/bin/sh",
    "/usr/bin/bash",
    "zsh",
    "/bin/zsh",
    "cmd",
    "cmd.exe",
    "powershell",
    "pwsh",
];
const SHELL_FLAGS: &[&str] = &["-c", "/c", "-lc", "-Command", "-command"];

/// DynamoDB parameters that hold an expression in DynamoDB's own query language.
const DYNAMODB_EXPRESSIONS: &[&str] = &[
    "FilterExpression",
    "KeyConditionExpression",
    "ConditionExpression",
    "UpdateExpression",
    "ProjectionExpression",
];

/// JavaScript SDK v2 client and DocumentClient methods that take those expressions.
const DYNAMODB_EXPRESSION_CALLS: &[&str] = &[
    "scan",
    "query",
    "updateItem",
    "update",
    "deleteItem",
    "delete",
    "putItem",
    "put",
    "getItem",
    "get",
];

/// SDK v3 commands (client-dynamodb and lib-dynamodb) that take them.
const DYNAMODB_EXPRESSION_COMMANDS: &[&str] = &[
    "ScanCommand",
    "QueryCommand",
    "UpdateItemCommand",
    "UpdateCommand",
    "DeleteItemCommand",
    "DeleteCommand",
    "PutItemCommand",
    "PutCommand",
    "GetItemCommand",
    "GetCommand",
];

const MONGO_METHODS: &[&str] = &[
    "find",
    "find_one",
    "findOne",
    "find_one_and_update",
    "findOneAndUpdate",
    "find_one_and_delete",
    "findOneAndDelete",
    "find_one_and_replace",
    "findOneAndReplace",
    "delete_one",
    "deleteOne",
    "delete_many",
    "deleteMany",
    "update_one",
    "updateOne",
    "update_many",
    "updateMany",
    "replace_one",
    "replaceOne",
    "count_documents",
    "countDocuments",
    "aggregate",
    "count",
    "distinct",
];

impl<'a, 't> Analyzer<'a, 't> {
    /// Reports the flows a call makes when it is a sink.
    pub fn check_sinks(
        &mut self,
        call: &CallInfo<'t>,
        receiver: Option<&Taint>,
        args: &[Option<Taint>],
        kwargs: &[(String, Option<Taint>)],
    ) {
        let hits = match self.lang {
            Lang::Python => self.python_sinks(call, receiver, args, kwargs),
            Lang::Js => self.js_sinks(call, receiver, args),
            Lang::Go => self.go_sinks(call, receiver, args),
            Lang::Java => self.java_sinks(call, receiver, args),
        };
        for (kind, taint) in hits {
            if let Some(t) = taint {
                // String sinks take text: a dict of parameters is not the command itself.
                let string_sink = !matches!(kind, SinkKind::NoSql | SinkKind::Deserialization);
                if string_sink && t.container {
                    continue;
                }
                let sink = display_sink(call);
                self.report(kind, &sink, &t, call.node);
            }
        }
    }

    fn python_sinks(
        &mut self,
        call: &CallInfo<'t>,
        receiver: Option<&Taint>,
        args: &[Option<Taint>],
        kwargs: &[(String, Option<Taint>)],
    ) -> Vec<(SinkKind, Option<Taint>)> {
        let c = call.canonical.as_str();
        let m = call.method.as_str();
        let arg = |i: usize, kw: &[&str]| -> Option<Taint> {
            args.get(i).cloned().flatten().or_else(|| {
                kwargs
                    .iter()
                    .find(|(k, _)| kw.contains(&k.as_str()))
                    .and_then(|(_, t)| t.clone())
            })
        };
        let kw_text = |name: &str| -> Option<&str> {
            call.kwargs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| self.text(*v))
        };
        let mut out = Vec::new();
        match c {
            "os.system"
            | "os.popen"
            | "commands.getoutput"
            | "commands.getstatusoutput"
            | "subprocess.getoutput"
            | "subprocess.getstatusoutput"
            | "asyncio.create_subprocess_shell"
            | "os.popen2"
            | "os.popen3" => {
                out.push((SinkKind::OsCommand, arg(0, &["cmd", "command"])));
            }
            "subprocess.run"
            | "subprocess.call"
            | "subprocess.Popen"
            | "subprocess.check_call"
            | "subprocess.check_output" => {
                let shell = kw_text("shell").is_some_and(|v| v != "False" && v != "None");
                if shell {
                    out.push((SinkKind::OsCommand, arg(0, &["args"])));
                } else if let Some(list) = call.args.first() {
                    let t = self.dash_c(*list);
                    out.push((SinkKind::OsCommand, t));
                }
            }
            "eval" | "exec" | "compile" | "builtins.eval" | "builtins.exec" => {
                out.push((SinkKind::Code, arg(0, &["source"])));
            }
            "pickle.loads"
            | "pickle.load"
            | "cPickle.loads"
            | "_pickle.loads"
            | "dill.loads"
            | "marshal.loads"
            | "jsonpickle.decode"
            | "yaml.unsafe_load"
            | "yaml.unsafe_load_all"
            | "pandas.read_pickle"
            | "shelve.open" => {
                out.push((SinkKind::Deserialization, arg(0, &["data", "s", "stream"])));
            }
            "yaml.load" | "yaml.load_all" => {
                let loader = kw_text("Loader")
                    .or_else(|| call.args.get(1).map(|n| self.text(*n)))
                    .unwrap_or("");
                let safe = loader.contains("SafeLoader") || loader.contains("BaseLoader");
                if !safe {
                    out.push((SinkKind::Deserialization, arg(0, &["stream"])));
                }
            }
            "open" | "io.open" | "codecs.open" | "os.open" | "os.remove" | "os.unlink"
            | "os.rmdir" | "os.listdir" | "os.makedirs" | "shutil.rmtree" | "shutil.copy"
            | "shutil.copyfile" | "shutil.move" | "flask.send_file" | "send_file"
            | "tarfile.open" | "zipfile.ZipFile" => {
                out.push((SinkKind::Path, arg(0, &["file", "path", "name"])));
            }
            "flask.send_from_directory" | "send_from_directory" => {
                out.push((SinkKind::Path, arg(1, &["path", "filename"])));
            }
            "requests.get"
            | "requests.post"
            | "requests.put"
            | "requests.delete"
            | "requests.patch"
            | "requests.head"
            | "requests.options"
            | "httpx.get"
            | "httpx.post"
            | "httpx.put"
            | "httpx.delete"
            | "httpx.patch"
            | "httpx.head"
            | "urllib.request.urlopen"
            | "urllib.request.Request"
            | "urllib2.urlopen"
            | "urllib.urlopen"
            | "httpx.stream" => {
                out.push((SinkKind::Ssrf, arg(0, &["url"])));
            }
            "requests.request" | "httpx.request" => {
                out.push((SinkKind::Ssrf, arg(1, &["url"])));
            }
            _ => {}
        }
        if !out.is_empty() {
            return out;
        }
        if receiver.is_some() {
            // Methods on event data itself (`body.find(...)`) are string or dict methods.
            if matches!(
                m,
                "read_text" | "read_bytes" | "write_text" | "write_bytes" | "unlink"
            ) {
                out.push((SinkKind::Path, receiver.cloned()));
            }
            return out;
        }
        match m {
            "execute" | "executemany" | "executescript" | "mogrify" => {
                if let Some(first) = call.args.first()
                    && !is_function(*first)
                {
                    out.push((SinkKind::Sql, arg(0, &["sql", "operation", "query"])));
                }
            }
            // Django `Model.objects.raw(sql)`, `connection.cursor()` covered above.
            "raw" => {
                out.push((SinkKind::Sql, arg(0, &["raw_query"])));
            }
            "read_sql" | "read_sql_query" => {
                out.push((SinkKind::Sql, arg(0, &["sql"])));
            }
            "scan" | "query" | "update_item" | "delete_item" | "put_item" | "get_item"
                if kwargs
                    .iter()
                    .any(|(k, _)| DYNAMODB_EXPRESSIONS.contains(&k.as_str())) =>
            {
                // DynamoDB expressions built from event text (see the JavaScript case).
                for (key, taint) in kwargs {
                    if DYNAMODB_EXPRESSIONS.contains(&key.as_str()) {
                        out.push((SinkKind::NoSql, taint.clone()));
                    }
                }
            }
            "execute_statement" | "executeStatement" => {
                // DynamoDB PartiQL takes `Statement`; RDS Data API and Redshift Data API take
                // SQL in `sql` / `Sql`.
                out.push((SinkKind::NoSql, arg(usize::MAX, &["Statement"])));
                out.push((SinkKind::Sql, arg(usize::MAX, &["sql", "Sql"])));
            }
            "batch_execute_statement" => {
                out.push((SinkKind::Sql, arg(usize::MAX, &["sql", "Sql"])));
            }
            "start_query_execution" => {
                // Athena
                out.push((SinkKind::Sql, arg(usize::MAX, &["QueryString"])));
            }
            "download_file" => {
                out.push((SinkKind::Path, arg(2, &["Filename"])));
            }
            "urlopen" => out.push((SinkKind::Ssrf, arg(0, &["url"]))),
            _ if MONGO_METHODS.contains(&m) && !call.receiver.is_some_and(is_string_literal) => {
                let t = self.mongo_query(call.args.first().copied(), args.first());
                out.push((SinkKind::NoSql, t));
            }
            _ => {}
        }
        out
    }

    fn js_sinks(
        &mut self,
        call: &CallInfo<'t>,
        receiver: Option<&Taint>,
        args: &[Option<Taint>],
    ) -> Vec<(SinkKind, Option<Taint>)> {
        let c = call.canonical.as_str();
        let m = call.method.as_str();
        let arg = |i: usize| args.get(i).cloned().flatten();
        let mut out = Vec::new();
        match c {
            "child_process.exec"
            | "child_process.execSync"
            | "shelljs.exec"
            | "execa.command"
            | "execa.commandSync"
            | "execa.execaCommand" => {
                out.push((SinkKind::OsCommand, arg(0)));
            }
            "child_process.spawn"
            | "child_process.spawnSync"
            | "child_process.execFile"
            | "child_process.execFileSync"
            | "execa"
            | "execa.execa" => {
                let shell_option = call.args.iter().any(|a| {
                    a.kind() == "object"
                        && self.object_key(*a, "shell").is_some_and(|v| {
                            let text = self.text(v);
                            text != "false" && text != "undefined"
                        })
                });
                if shell_option {
                    let mut t = arg(0);
                    if let Some(list) = call.args.get(1)
                        && list.kind() == "array"
                    {
                        let lt = self.eval(*list).map(|mut t| {
                            t.container = false;
                            t
                        });
                        t = union(t, lt);
                    }
                    out.push((SinkKind::OsCommand, t));
                } else if let (Some(program), Some(list)) = (call.args.first(), call.args.get(1))
                    && literal_value(self, *program).is_some_and(|p| SHELLS.contains(&p.as_str()))
                {
                    let list = match list.kind() {
                        "identifier" => self.list_literal(self.text(*list)).unwrap_or(*list),
                        _ => *list,
                    };
                    let t = self.after_shell_flag(named(Some(list)));
                    out.push((SinkKind::OsCommand, t));
                }
            }
            "eval"
            | "Function"
            | "vm.runInContext"
            | "vm.runInNewContext"
            | "vm.runInThisContext"
            | "vm.compileFunction"
            | "vm.Script"
            | "vm.SourceTextModule"
            | "window.eval"
            | "global.eval"
            | "globalThis.eval" => {
                // new Function('a', 'b', body): the body is the last argument.
                let t = if c == "Function" {
                    args.last().cloned().flatten()
                } else {
                    arg(0)
                };
                out.push((SinkKind::Code, t));
            }
            "setTimeout" | "setInterval" | "setImmediate" => {
                if let Some(first) = call.args.first()
                    && !is_function(*first)
                    && first.kind() != "identifier"
                {
                    out.push((SinkKind::Code, arg(0)));
                }
            }
            "node-serialize.unserialize"
            | "funcster.deepDeserialize"
            | "serialize-to-js.deserialize" => {
                out.push((SinkKind::Deserialization, arg(0)));
            }
            "http.get" | "http.request" | "https.get" | "https.request" | "axios" | "axios.get"
            | "axios.post" | "axios.put" | "axios.delete" | "axios.patch" | "axios.head"
            | "axios.request" | "fetch" | "node-fetch" | "got" | "got.get" | "got.post"
            | "needle" | "needle.get" | "needle.post" | "request" | "request.get"
            | "request.post" | "superagent.get" | "superagent.post" | "undici.request"
            | "undici.fetch" | "cross-fetch" | "isomorphic-fetch" => {
                let t = match call.args.first() {
                    Some(first) if first.kind() == "object" => {
                        let mut t = None;
                        for key in ["url", "baseURL", "host", "hostname", "uri"] {
                            if let Some(v) = self.object_key(*first, key) {
                                t = union(t, self.eval(v));
                            }
                        }
                        t
                    }
                    _ => arg(0),
                };
                out.push((SinkKind::Ssrf, t));
            }
            _ => {}
        }
        if !out.is_empty() {
            return out;
        }
        if c.starts_with("fs.")
            && matches!(
                m,
                "readFile"
                    | "readFileSync"
                    | "createReadStream"
                    | "createWriteStream"
                    | "writeFile"
                    | "writeFileSync"
                    | "appendFile"
                    | "appendFileSync"
                    | "unlink"
                    | "unlinkSync"
                    | "readdir"
                    | "readdirSync"
                    | "rm"
                    | "rmSync"
                    | "open"
                    | "openSync"
                    | "copyFile"
                    | "copyFileSync"
                    | "stat"
                    | "statSync"
            )
        {
            out.push((SinkKind::Path, arg(0)));
            return out;
        }
        if c.ends_with("ExecuteStatementCommand")
            || c.ends_with("StartQueryExecutionCommand")
            || matches!(m, "executeStatement" | "startQueryExecution")
        {
            let input = call.args.first().filter(|a| a.kind() == "object");
            // PartiQL `Statement` (DynamoDB); `Sql`/`sql` (Redshift/RDS Data API);
            // `QueryString` (Athena).
            for (key, kind) in [
                ("Statement", SinkKind::NoSql),
                ("Sql", SinkKind::Sql),
                ("sql", SinkKind::Sql),
                ("QueryString", SinkKind::Sql),
            ] {
                let t = input
                    .and_then(|o| self.object_key(*o, key))
                    .and_then(|v| self.eval(v));
                out.push((kind, t));
            }
            return out;
        }
        // DynamoDB condition, filter, key and update expressions are a small query language:
        // event text spliced into one changes what the call reads or writes.
        if DYNAMODB_EXPRESSION_CALLS.contains(&m)
            || DYNAMODB_EXPRESSION_COMMANDS
                .iter()
                .any(|command| c.ends_with(command))
        {
            let input = call.args.first().filter(|a| a.kind() == "object");
            for key in DYNAMODB_EXPRESSIONS {
                if let Some(value) = input.and_then(|o| self.object_key(*o, key)) {
                    out.push((SinkKind::NoSql, self.eval(value)));
                }
            }
            if !out.is_empty() {
                return out;
            }
        }
        if receiver.is_some() {
            return out;
        }
        match m {
            "sendFile" | "download" if call.receiver.is_some() => {
                out.push((SinkKind::Path, arg(0)));
            }
            "query" | "execute" | "raw" | "unsafe" | "$queryRawUnsafe" | "$executeRawUnsafe"
            | "whereRaw" | "joinRaw" | "orderByRaw"
                if call.receiver.is_some() =>
            {
                let t = match call.args.first() {
                    Some(first) if first.kind() == "object" => {
                        let mut t = None;
                        for key in ["text", "sql", "query"] {
                            if let Some(v) = self.object_key(*first, key) {
                                t = union(t, self.eval(v));
                            }
                        }
                        t
                    }
                    _ => arg(0),
                };
                out.push((SinkKind::Sql, t));
            }
            "$where" | "where" if call.receiver.is_some() && c.contains("$where") => {
                out.push((SinkKind::NoSql, arg(0)));
            }
            _ if MONGO_METHODS.contains(&m) && call.receiver.is_some() => {
                let t = self.mongo_query(call.args.first().copied(), args.first());
                out.push((SinkKind::NoSql, t));
            }
            _ => {}
        }
        out
    }

    fn go_sinks(
        &mut self,
        call: &CallInfo<'t>,
        receiver: Option<&Taint>,
        args: &[Option<Taint>],
    ) -> Vec<(SinkKind, Option<Taint>)> {
        let c = call.canonical.as_str();
        let m = call.method.as_str();
        let arg = |i: usize| args.get(i).cloned().flatten();
        let mut out = Vec::new();
        match c {
            "exec.Command" | "exec.CommandContext" => {
                let skip = usize::from(c == "exec.CommandContext");
                let rest: Vec<Node> = call.args.iter().skip(skip).copied().collect();
                if rest
                    .first()
                    .and_then(|p| literal_value(self, *p))
                    .is_some_and(|p| SHELLS.contains(&p.as_str()))
                {
                    let t = self.after_shell_flag(rest);
                    out.push((SinkKind::OsCommand, t));
                }
            }
            "os.Open" | "os.OpenFile" | "os.ReadFile" | "ioutil.ReadFile" | "os.Create"
            | "os.WriteFile" | "ioutil.WriteFile" | "os.Remove" | "os.RemoveAll" | "os.ReadDir"
            | "ioutil.ReadDir" | "http.ServeFile" => {
                let i = usize::from(c == "http.ServeFile") * 2;
                out.push((SinkKind::Path, arg(i)));
            }
            "http.Get" | "http.Post" | "http.Head" | "http.PostForm" => {
                out.push((SinkKind::Ssrf, arg(0)));
            }
            "http.NewRequest" => out.push((SinkKind::Ssrf, arg(1))),
            "http.NewRequestWithContext" => out.push((SinkKind::Ssrf, arg(2))),
            _ => {}
        }
        if !out.is_empty() || receiver.is_some() {
            return out;
        }
        match m {
            "Query" | "QueryRow" | "Exec" | "Prepare" | "Raw" | "Select" | "Get"
                if call.receiver.is_some() && !matches!(c, "http.Get" | "os.Exec") =>
            {
                let query_at = call
                    .args
                    .iter()
                    .position(|a| !self.text(*a).starts_with("ctx"))
                    .unwrap_or(0);
                // sqlx Select/Get take (dest, query, ...).
                let query_at = if matches!(m, "Select" | "Get") {
                    query_at + 1
                } else {
                    query_at
                };
                if matches!(m, "Get" | "Select") && call.args.len() < 2 {
                    return out;
                }
                out.push((SinkKind::Sql, arg(query_at)));
            }
            "QueryContext" | "QueryRowContext" | "ExecContext" | "PrepareContext" => {
                out.push((SinkKind::Sql, arg(1)));
            }
            "ExecuteStatement" => {
                // dynamodb.ExecuteStatementInput{Statement: aws.String(q)}
                if let Some(input) = call.args.get(1) {
                    let t = self.go_field(*input, "Statement");
                    out.push((SinkKind::NoSql, t));
                }
            }
            _ => {}
        }
        out
    }

    fn java_sinks(
        &mut self,
        call: &CallInfo<'t>,
        receiver: Option<&Taint>,
        args: &[Option<Taint>],
    ) -> Vec<(SinkKind, Option<Taint>)> {
        let c = call.canonical.as_str();
        let m = call.method.as_str();
        let arg = |i: usize| args.get(i).cloned().flatten();
        let mut out = Vec::new();
        if call.is_new {
            match m {
                "ProcessBuilder" => {
                    let mut elems = call.args.clone();
                    if elems.len() == 1 {
                        // new ProcessBuilder(List.of(...)) / Arrays.asList(...) / String[]
                        elems = self.java_list_elements(elems[0]);
                    }
                    if elems
                        .first()
                        .and_then(|p| literal_value(self, *p))
                        .is_some_and(|p| SHELLS.contains(&p.as_str()))
                    {
                        let t = self.after_shell_flag(elems);
                        out.push((SinkKind::OsCommand, t));
                    }
                }
                "File" | "FileInputStream" | "FileReader" | "FileOutputStream" | "FileWriter"
                | "RandomAccessFile" => {
                    let mut t = None;
                    for a in args {
                        t = union(t, a.clone());
                    }
                    out.push((SinkKind::Path, t));
                }
                "URL" => out.push((SinkKind::Ssrf, arg(0))),
                "ObjectInputStream" | "XMLDecoder" => {
                    out.push((SinkKind::Deserialization, arg(0)));
                }
                _ => {}
            }
            return out;
        }
        if c.starts_with("Files.")
            && matches!(
                m,
                "readAllBytes"
                    | "readString"
                    | "readAllLines"
                    | "newInputStream"
                    | "newBufferedReader"
                    | "lines"
                    | "write"
                    | "writeString"
                    | "delete"
                    | "deleteIfExists"
                    | "newOutputStream"
            )
        {
            out.push((SinkKind::Path, arg(0)));
            return out;
        }
        if receiver.is_some() {
            return out;
        }
        match m {
            "exec" if c.contains("Runtime") || c.contains("runtime") => {
                let t = match call.args.first() {
                    Some(first) if first.kind() == "array_creation_expression" => {
                        let elems = self.java_list_elements(*first);
                        self.after_shell_flag(elems)
                    }
                    _ => arg(0),
                };
                out.push((SinkKind::OsCommand, t));
            }
            "executeQuery" | "executeUpdate" | "execute" | "addBatch" | "prepareStatement"
            | "prepareCall" | "createNativeQuery" | "createQuery" | "executeLargeUpdate"
            | "queryForList" | "queryForObject" | "update"
                if call.receiver.is_some() =>
            {
                out.push((SinkKind::Sql, arg(0)));
            }
            "eval" if call.receiver.is_some() => out.push((SinkKind::Code, arg(0))),
            "load" | "loadAs" if c.to_ascii_lowercase().contains("yaml") => {
                out.push((SinkKind::Deserialization, arg(0)));
            }
            "statement" if c.contains("ExecuteStatementRequest") => {
                out.push((SinkKind::NoSql, arg(0)));
            }
            "uri" if c.contains("HttpRequest") => out.push((SinkKind::Ssrf, arg(0))),
            "newBuilder" if c.contains("HttpRequest") => out.push((SinkKind::Ssrf, arg(0))),
            _ => {}
        }
        out
    }

    /// `['sh', '-c', cmd]`: the taint of what follows the shell flag.
    fn dash_c(&mut self, list: Node<'t>) -> Option<Taint> {
        let list = match list.kind() {
            "identifier" => self.list_literal(self.text(list))?,
            _ => list,
        };
        if !matches!(list.kind(), "list" | "tuple" | "array") {
            return None;
        }
        let elems = named(Some(list));
        if elems
            .first()
            .and_then(|p| literal_value(self, *p))
            .is_some_and(|p| SHELLS.contains(&p.as_str()))
        {
            self.after_shell_flag(elems)
        } else {
            None
        }
    }

    fn after_shell_flag(&mut self, elems: Vec<Node<'t>>) -> Option<Taint> {
        let flag_at = elems.iter().position(|e| {
            literal_value(self, *e).is_some_and(|v| SHELL_FLAGS.contains(&v.as_str()))
        })?;
        let mut t = None;
        for e in elems.into_iter().skip(flag_at + 1) {
            let et = self.eval(e);
            t = union(t, et);
        }
        t
    }

    fn java_list_elements(&self, node: Node<'t>) -> Vec<Node<'t>> {
        match node.kind() {
            "array_creation_expression" => node
                .child_by_field_name("value")
                .map(|v| named(Some(v)))
                .unwrap_or_default(),
            "array_initializer" => named(Some(node)),
            "method_invocation" => named(node.child_by_field_name("arguments")),
            _ => vec![node],
        }
    }

    /// Mongo-style query argument: a whole object from parsed event data, an object literal
    /// with a tainted `$where`/`$function`, or a field whose value is a parsed object
    /// (operator injection: `{"$ne": null}`).
    fn mongo_query(
        &mut self,
        arg: Option<Node<'t>>,
        taint: Option<&Option<Taint>>,
    ) -> Option<Taint> {
        let arg = arg?;
        if matches!(arg.kind(), "dictionary" | "object") {
            let mut found = None;
            for pair in named(Some(arg)) {
                let (Some(k), Some(v)) = (
                    pair.child_by_field_name("key"),
                    pair.child_by_field_name("value"),
                ) else {
                    continue;
                };
                let key = literal_value(self, k).unwrap_or_else(|| self.text(k).to_string());
                let vt = self.eval(v);
                if let Some(vt) = vt {
                    if matches!(key.as_str(), "$where" | "$function" | "$accumulator") {
                        let mut vt = vt;
                        vt.container = false;
                        found = union(found, Some(vt));
                    } else if vt.structured && !vt.container {
                        found = union(found, Some(vt));
                    }
                }
            }
            return found;
        }
        let t = taint.cloned().flatten()?;
        (t.structured && !is_function(arg)).then_some(t)
    }

    /// The value of `key` in a JS object literal.
    fn object_key(&self, object: Node<'t>, key: &str) -> Option<Node<'t>> {
        for child in named(Some(object)) {
            match child.kind() {
                "pair" => {
                    let k = child.child_by_field_name("key")?;
                    let name = literal_value(self, k).unwrap_or_else(|| self.text(k).to_string());
                    if name == key {
                        return child.child_by_field_name("value");
                    }
                }
                "shorthand_property_identifier" if self.text(child) == key => return Some(child),
                _ => {}
            }
        }
        None
    }

    /// The taint of field `key` in a Go composite literal (`&T{Statement: aws.String(q)}`).
    fn go_field(&mut self, node: Node<'t>, key: &str) -> Option<Taint> {
        let mut stack = vec![node];
        let mut budget = 64;
        while let Some(n) = stack.pop() {
            budget -= 1;
            if budget == 0 {
                return None;
            }
            if n.kind() == "keyed_element" {
                let parts = named(Some(n));
                if let [k, v] = parts.as_slice()
                    && self.text(*k) == key
                {
                    return self.eval(*v);
                }
                continue;
            }
            stack.extend(named(Some(n)));
        }
        None
    }
}

/// The sink as written, shortened to the callee (`cursor.execute`, `child_process.exec`).
fn display_sink(call: &CallInfo) -> String {
    let c = &call.canonical;
    let base = if c.len() > 60 || c.contains('(') {
        call.method.clone()
    } else {
        c.clone()
    };
    if call.is_new {
        format!("new {base}")
    } else {
        base
    }
}
