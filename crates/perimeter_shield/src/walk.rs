//! The walker: visits attacker-controlled values with their JSON paths, decodes bodies
//! (base64, form, multipart, JSON, nested JSON strings), finds NoSQL operator objects and
//! prototype-pollution keys in parsed JSON, and hands every string to the detectors. All
//! caps of [`Config`] are enforced here.

use crate::detect::{self, Kind};
use crate::json::{self, Json};
use crate::key_memo::KeyMemo;
use crate::path::JsonPath;
use crate::{Config, Detection, Inspection, decode, source};
use std::borrow::Cow;
use wide::u8x16;

pub(crate) struct Walker<'c> {
    pub cfg: &'c Config,
    pub path: JsonPath,
    pub out: Vec<Detection>,
    pub values: usize,
    pub errors: Vec<String>,
    capped: bool,
    /// When set, the path of every scanned value is recorded (for [`crate::walked_fields`]).
    pub record: Option<Vec<String>>,
    /// Inside a credential (Authorization, passwords): excerpts are redacted.
    secret: bool,
}

impl<'c> Walker<'c> {
    pub fn new(cfg: &'c Config) -> Self {
        Walker {
            cfg,
            path: JsonPath::root(),
            out: Vec::new(),
            values: 0,
            errors: Vec::new(),
            capped: false,
            record: None,
            secret: false,
        }
    }

    /// Visits `f` with `key` appended to the path.
    pub fn key<R>(&mut self, key: &str, f: impl FnOnce(&mut Self) -> R) -> R {
        let len = self.path.push_key(key);
        let r = f(self);
        self.path.cut(len);
        r
    }

    /// Visits `f` with `[i]` appended to the path.
    pub fn index<R>(&mut self, i: usize, f: impl FnOnce(&mut Self) -> R) -> R {
        let len = self.path.push_index(i);
        let r = f(self);
        self.path.cut(len);
        r
    }

    /// Visits `f` with every detection's excerpt redacted: credentials never reach logs.
    pub fn secret<R>(&mut self, f: impl FnOnce(&mut Self) -> R) -> R {
        let was = std::mem::replace(&mut self.secret, true);
        let r = f(self);
        self.secret = was;
        r
    }

    pub fn error(&mut self, msg: impl Into<String>) {
        if self.errors.len() < 8 {
            self.errors.push(msg.into());
        }
    }

    fn allowed(&self) -> bool {
        let p = self.path.as_str();
        self.cfg.allow_paths.iter().any(|a| {
            p.strip_prefix(a.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
        })
    }

    /// Runs the detectors over one string at the current path.
    pub fn scan(&mut self, s: &str) {
        if self.values >= self.cfg.max_values {
            if !self.capped {
                self.capped = true;
                self.error(format!(
                    "more than {} values; the rest was not inspected",
                    self.cfg.max_values
                ));
            }
            return;
        }
        if self.allowed() {
            return;
        }
        self.values += 1;
        if let Some(r) = self.record.as_mut() {
            r.push(self.path.as_str().to_string());
        }
        self.detect(s, None);
    }

    /// Runs the detectors over `s`, at `below` under the current path (rendered only for a
    /// detection), excerpts redacted inside a credential.
    #[inline(always)]
    fn detect(&mut self, s: &str, below: Option<&Seg<'_>>) {
        if let Some(sig) = detect::prefilter(s, self.cfg) {
            self.detect_signalled(s, sig, below);
        }
    }

    /// [`Walker::detect`] past the prefilter. Out of line: most values never get here, and
    /// setting up the path and the redaction cost them at every value.
    #[inline(never)]
    fn detect_signalled(&mut self, s: &str, sig: detect::Signals, below: Option<&Seg<'_>>) {
        let Walker { cfg, path, out, .. } = self;
        let before = out.len();
        detect::scan_signalled(s, sig, cfg, out, &mut || {
            let len = path.as_str().len();
            if let Some(seg) = below {
                seg.render(path);
            }
            let rendered = path.as_str().to_string();
            path.cut(len);
            rendered
        });
        if self.secret {
            for d in &mut self.out[before..] {
                d.excerpt = "[redacted]".to_string();
            }
        }
    }

    /// Records a structural detection (not from a string) at the current path.
    fn structural(&mut self, kind: Kind, confidence: f32, excerpt: &str) {
        if !self.cfg.detectors.enabled(kind) || self.allowed() {
            return;
        }
        self.out.push(Detection {
            kind: kind.as_str(),
            path: self.path.as_str().to_string(),
            confidence,
            excerpt: if self.secret {
                "[redacted]".to_string()
            } else {
                excerpt.to_string()
            },
        });
    }

    /// Walks every string in `v` (object keys checked for operators), to `max_depth`.
    pub fn walk_value(&mut self, v: &Json<'_>, depth: usize) {
        if depth > self.cfg.max_depth {
            self.error(format!(
                "nesting deeper than {} at {}",
                self.cfg.max_depth,
                self.path.as_str()
            ));
            return;
        }
        match v {
            Json::Str(s) => self.walk_string(s, depth),
            Json::Esc(..) => {
                if let Some(s) = v.as_str() {
                    self.walk_string(s, depth);
                }
            }
            Json::Arr(items) => {
                for (i, item) in items.iter().enumerate() {
                    if has_strings(item) {
                        self.index(i, |w| w.walk_value(item, depth + 1));
                    }
                }
            }
            Json::Obj(map) => {
                for (k, item) in map {
                    self.check_key(k, None);
                    // Numbers, booleans and nulls carry nothing to scan: no path segment.
                    if has_strings(item) {
                        self.key(k, |w| w.walk_value(item, depth + 1));
                    }
                }
            }
            _ => {}
        }
    }

    /// A string that is itself JSON (an SNS message inside an SQS body, a JSON log line)
    /// is walked as JSON; anything else is scanned.
    pub fn walk_string(&mut self, s: &str, depth: usize) {
        if depth < self.cfg.max_depth && self.walk_json_text(s, depth + 1) {
            return;
        }
        self.scan(s);
    }

    /// Walks `s` as JSON at `depth` when it looks like an object or array and parses (what
    /// parsing it whole then [`Walker::walk_value`] did), in one pass: values are
    /// visited as the parser reaches them, with no tree to build and free (a 1 MiB body
    /// is 4,182 small objects). A parse error anywhere undoes everything the walk
    /// recorded, so the result is as if the text had been parsed first; returns whether it
    /// was JSON.
    fn walk_json_text(&mut self, s: &str, depth: usize) -> bool {
        let Some(t) = embedded_json_text(s, self.cfg) else {
            return false;
        };
        self.walk_json_parser(json::Parser::streaming(t), depth)
    }

    /// Walks the document of `p` at `depth`; on a parse error, undoes everything the walk
    /// recorded and returns false.
    fn walk_json_parser<const E: bool>(
        &mut self,
        mut p: json::Parser<'_, E>,
        depth: usize,
    ) -> bool {
        let mark = (
            self.out.len(),
            self.values,
            self.errors.len(),
            self.capped,
            self.record.as_ref().map(Vec::len),
        );
        p.ws();
        if self
            .stream(&mut p, 0, depth, None)
            .and_then(|()| p.finish())
            .is_ok()
        {
            return true;
        }
        let (out, values, errors, capped, record) = mark;
        self.out.truncate(out);
        self.values = values;
        self.errors.truncate(errors);
        self.capped = capped;
        if let (Some(r), Some(len)) = (self.record.as_mut(), record) {
            r.truncate(len);
        }
        false
    }

    /// [`Walker::walk_value`] over the value at the parser's position (a string, array or
    /// object), parsing it as it goes; `pdepth` is the parser's nesting (as in
    /// [`json::Parser::value`]), `depth` the walker's. `at` is the value's path below
    /// `self.path`, kept as a chain of borrowed segments on the stack and rendered only
    /// when something needs it (a detection, an error, allow-listed or recorded paths):
    /// the 1 MiB bench body has 37,638 keys, and writing each into the path cost more than
    /// scanning most values.
    fn stream<'a, const E: bool>(
        &mut self,
        p: &mut json::Parser<'a, E>,
        pdepth: usize,
        depth: usize,
        at: Option<&Seg<'_>>,
    ) -> Result<(), json::JsonError> {
        if depth > self.cfg.max_depth {
            self.at(at, |w| {
                w.error(format!(
                    "nesting deeper than {} at {}",
                    w.cfg.max_depth,
                    w.path.as_str()
                ))
            });
            return p.value(pdepth).map(drop);
        }
        match p.peek() {
            Some(b'"') => {
                let s = p.string()?;
                self.walk_string_at(&s, depth, at);
                Ok(())
            }
            Some(b'[') => self.stream_array(p, pdepth + 1, depth, at),
            Some(b'{') => self.stream_object(p, pdepth + 1, depth, at, None),
            _ => p.skip_scalar(),
        }
    }

    /// [`Walker::stream`] of the array at the parser's `[`, at nesting `pdepth` (its
    /// own). Compact JSON has no whitespace between tokens: each separator is tried first
    /// where it is expected ([`json::Parser::eat`]), whitespace skipped only if it is not
    /// there, with the errors (and offsets) of skipping first.
    fn stream_array<'a, const E: bool>(
        &mut self,
        p: &mut json::Parser<'a, E>,
        pdepth: usize,
        depth: usize,
        at: Option<&Seg<'_>>,
    ) -> Result<(), json::JsonError> {
        p.open(pdepth)?;
        if p.eat(b']') {
            return Ok(());
        }
        let mut i = 0;
        // The keys of the objects among the items, from one to the next (made when the
        // first object comes: most arrays of strings have none).
        let mut memo: Option<KeyMemo<'a>> = None;
        loop {
            let seg = Seg {
                parent: at,
                part: Part::Index(i),
            };
            self.item(p, pdepth, depth + 1, &seg, Some(&mut memo))?;
            i += 1;
            if !p.next_or_close(b']', "expected , or ]")? {
                return Ok(());
            }
        }
    }

    /// [`Walker::stream`] of the object at the parser's `{` (as [`Walker::stream_array`]).
    /// `memo`: an item of an array, whose keys are likely its siblings' ([`KeyMemo`]).
    fn stream_object<'a, const E: bool>(
        &mut self,
        p: &mut json::Parser<'a, E>,
        pdepth: usize,
        depth: usize,
        at: Option<&Seg<'_>>,
        mut memo: Option<&mut KeyMemo<'a>>,
    ) -> Result<(), json::JsonError> {
        p.open(pdepth)?;
        if p.eat(b'}') {
            return Ok(());
        }
        let mut n = 0;
        loop {
            let recalled = match memo.as_deref() {
                Some(m) => m.recall(n, p).or_else(|| {
                    // Indented JSON: the whitespace before the key (escaped in a body still
                    // escaped: `\\n  `), then the same bytes.
                    matches!(p.byte(), Some(b' ' | b'\n' | b'\r' | b'\t' | b'\\'))
                        .then(|| p.ws())?;
                    m.recall(n, p)
                }),
                None => None,
            };
            let (k, plain) = match recalled {
                Some((k, plain)) => (Cow::Borrowed(k), plain),
                None => {
                    let (k, plain) = Self::read_key(p)?;
                    if let (Some(m), Cow::Borrowed(k)) = (memo.as_deref_mut(), &k) {
                        m.remember::<E>(n, k, plain);
                    }
                    (k, plain)
                }
            };
            if !plain {
                self.check_key(&k, at);
            }
            let seg = Seg {
                parent: at,
                part: Part::Key(&k),
            };
            self.item(p, pdepth, depth + 1, &seg, None)?;
            if !p.next_or_close(b'}', "expected , or }")? {
                return Ok(());
            }
            n += 1;
        }
    }

    /// An object's key at the parser (after whitespace), and the colon after it: the key,
    /// and whether it surely needs no [`Walker::check_key`] ([`plain_key`]).
    #[inline(always)]
    fn read_key<'a, const E: bool>(
        p: &mut json::Parser<'a, E>,
    ) -> Result<(Cow<'a, str>, bool), json::JsonError> {
        if !p.at_quote() {
            p.ws();
            if !p.at_quote() {
                return Err(p.err("expected a key"));
            }
        }
        // The key's text starts after the quote (`\\"` when escaped).
        let key_at = p.offset() + if E { 2 } else { 1 };
        let k = p.string()?;
        if !p.eat(b':') {
            p.ws();
            if !p.eat(b':') {
                return Err(p.err("expected :"));
            }
        }
        let plain = plain_key(&k, p.window16(key_at));
        Ok((k, plain))
    }

    /// A member or item at `seg`: [`Walker::stream`] for containers, a string walked
    /// here without a recursive call (most values are strings), scalars parsed and dropped
    /// (numbers, booleans and nulls carry nothing to scan).
    ///
    /// Whitespace before the value is skipped here, only when the next byte may start
    /// some (compact JSON has none: no separate test before every value).
    ///
    /// `memo`: the item is an array's, and an object there remembers its keys for the
    /// next ([`KeyMemo`]).
    #[inline(always)]
    fn item<'a, const E: bool>(
        &mut self,
        p: &mut json::Parser<'a, E>,
        pdepth: usize,
        depth: usize,
        seg: &Seg<'_>,
        memo: Option<&mut Option<KeyMemo<'a>>>,
    ) -> Result<(), json::JsonError> {
        match p.peek() {
            Some(b'"') if depth <= self.cfg.max_depth => {
                let s = p.string()?;
                self.walk_string_at(&s, depth, Some(seg));
                Ok(())
            }
            // Containers straight to their loops (what `stream` would pick).
            Some(b'{') if depth <= self.cfg.max_depth => {
                let memo = memo.map(|m| m.get_or_insert_with(KeyMemo::new));
                self.stream_object(p, pdepth + 1, depth, Some(seg), memo)
            }
            Some(b'[') if depth <= self.cfg.max_depth => {
                self.stream_array(p, pdepth + 1, depth, Some(seg))
            }
            Some(b'"' | b'[' | b'{') => self.stream(p, pdepth, depth, Some(seg)),
            Some(b' ' | b'\n' | b'\r' | b'\t' | b'\\') => {
                self.item_after_ws(p, pdepth, depth, seg, memo)
            }
            _ => p.skip_scalar(),
        }
    }

    /// [`Walker::item`] after skipping whitespace (out of line: indented JSON only).
    #[inline(never)]
    fn item_after_ws<'a, const E: bool>(
        &mut self,
        p: &mut json::Parser<'a, E>,
        pdepth: usize,
        depth: usize,
        seg: &Seg<'_>,
        memo: Option<&mut Option<KeyMemo<'a>>>,
    ) -> Result<(), json::JsonError> {
        p.ws();
        match p.peek() {
            Some(b'"') if depth <= self.cfg.max_depth => {
                let s = p.string()?;
                self.walk_string_at(&s, depth, Some(seg));
                Ok(())
            }
            Some(b'{') if depth <= self.cfg.max_depth => {
                let memo = memo.map(|m| m.get_or_insert_with(KeyMemo::new));
                self.stream_object(p, pdepth + 1, depth, Some(seg), memo)
            }
            Some(b'"' | b'[' | b'{') => self.stream(p, pdepth, depth, Some(seg)),
            _ => p.skip_scalar(),
        }
    }

    /// Runs `f` with `at` written onto `self.path` (and cut off after).
    fn at<R>(&mut self, at: Option<&Seg<'_>>, f: impl FnOnce(&mut Self) -> R) -> R {
        let len = self.path.as_str().len();
        if let Some(seg) = at {
            seg.render(&mut self.path);
        }
        let r = f(self);
        self.path.cut(len);
        r
    }

    /// [`Walker::walk_string`] for a string at `at` below `self.path`: the path is written
    /// only when the string is JSON to walk, paths are allow-listed or recorded, or a
    /// detector reports something.
    ///
    /// Inline, for the common case of a value that is not JSON to walk, under the cap,
    /// with no paths to keep: counted and handed to the detectors, nothing else.
    #[inline(always)]
    fn walk_string_at(&mut self, s: &str, depth: usize, at: Option<&Seg<'_>>) {
        if let Some(seg) = at
            && !may_be_json(s)
        {
            if self.values < self.cfg.max_values {
                if self.cfg.allow_paths.is_empty() && self.record.is_none() {
                    // What `scan` does when no path is allow-listed or recorded.
                    self.values += 1;
                    return self.detect(s, Some(seg));
                }
            } else if self.capped {
                // Past the cap, already reported: `scan` does nothing more.
                return;
            }
        }
        self.walk_string_at_slow(s, depth, at);
    }

    /// [`Walker::walk_string_at`] in every case.
    fn walk_string_at_slow(&mut self, s: &str, depth: usize, at: Option<&Seg<'_>>) {
        let Some(seg) = at else {
            return self.walk_string(s, depth);
        };
        if !self.cfg.allow_paths.is_empty()
            || self.record.is_some()
            || depth < self.cfg.max_depth && embedded_json_text(s, self.cfg).is_some()
        {
            return self.at(at, |w| w.walk_string(s, depth));
        }
        if self.values >= self.cfg.max_values {
            // What `scan` does past the cap (its message names no path).
            return self.scan(s);
        }
        // What `scan` does when no path is allow-listed or recorded.
        self.values += 1;
        self.detect(s, Some(seg));
    }

    /// Object keys: MongoDB operators and prototype-pollution keys are attacks by
    /// themselves, wherever a string was expected. `at` is the object's path below
    /// `self.path`, rendered only for a key that needs it.
    #[inline]
    fn check_key(&mut self, k: &str, at: Option<&Seg<'_>>) {
        if let Some(kind) = KeyKind::of(k) {
            self.report_key(k, kind, at);
        }
    }

    /// [`Walker::check_key`] for a key [`KeyKind::of`] picked out (rare: out of line).
    #[cold]
    #[inline(never)]
    fn report_key(&mut self, k: &str, kind: KeyKind, at: Option<&Seg<'_>>) {
        match kind {
            KeyKind::Dollar => {
                if detect::nosqli_operator(&k.to_ascii_lowercase()) {
                    self.at(at, |w| w.key(k, |w| w.structural(Kind::Nosqli, 0.9, k)));
                }
            }
            KeyKind::Prototype => {
                let confidence = if k == "__proto__" { 0.9 } else { 0.6 };
                self.at(at, |w| {
                    w.key(k, |w| w.structural(Kind::Code, confidence, k))
                });
            }
            // Keys an attacker chose (`user[$ne]`, `<script>`): scan them like values.
            KeyKind::Odd => self.at(at, |w| w.key(k, |w| w.scan(k))),
        }
    }

    /// A request body: base64 when flagged, then by content type (JSON, form, multipart,
    /// anything else as text).
    pub fn body(&mut self, body: &Json<'_>, base64: bool, content_type: Option<&str>) {
        if let Json::Esc(e) = body
            && !base64
            && e.value.get().is_none()
            && self.escaped_json_body(e.raw, e.len, content_type)
        {
            return;
        }
        let Some(text) = body.as_str() else {
            // Some sources (tests, direct invocations) give an already-parsed body.
            self.walk_value(body, 1);
            return;
        };
        if text.is_empty() {
            return;
        }
        if base64 {
            match decode::base64(text, self.cfg.max_body.saturating_mul(4) / 3 + 4) {
                Some(bytes) if bytes.starts_with(&[0x1f, 0x8b]) => {
                    // Gzip inside base64: CloudWatch Logs subscriptions through Kinesis and
                    // Firehose, compressed bodies. Decompressed with the same cap as awslogs.
                    match decode::gunzip(&bytes, self.cfg.max_decompressed) {
                        Ok((_, true)) => self.error(format!(
                            "{}: decompresses to more than {} bytes; not inspected",
                            self.path.as_str(),
                            self.cfg.max_decompressed
                        )),
                        Ok((plain, false)) => {
                            self.text_body(&String::from_utf8_lossy(&plain), content_type)
                        }
                        Err(e) => self.error(format!("{}: bad gzip: {e}", self.path.as_str())),
                    }
                }
                Some(bytes) => {
                    let s = String::from_utf8_lossy(&bytes);
                    self.text_body(&s, content_type);
                }
                None => {
                    self.error(format!(
                        "{}: isBase64Encoded but not base64",
                        self.path.as_str()
                    ));
                    self.text_body(text, content_type);
                }
            }
        } else {
            self.text_body(text, content_type);
        }
    }

    /// A JSON body still in its escaped form (the event's string): walked in one pass
    /// when [`Walker::text_body`] would surely take it as JSON (a JSON or other non-form
    /// content type, `{…}`/`[…]` with nothing around, within `max_body`). Returns false,
    /// with nothing recorded, whenever the escaped parse fails or meets something it
    /// leaves to the unescaped path: the caller then does exactly what it did before.
    fn escaped_json_body(&mut self, raw: &str, len: usize, content_type: Option<&str>) -> bool {
        let ct = content_type.unwrap_or("").to_ascii_lowercase();
        let b = raw.as_bytes();
        // `len` is the unescaped text's: within `max_body`, no truncation and the same
        // `max_body` answer. Its first and last bytes are `raw`'s (a bracket that ends
        // `raw` is never part of an escape).
        if ct.is_empty()
            || ct.contains("multipart/form-data")
            || ct.contains("x-www-form-urlencoded")
            || len > self.cfg.max_body
            || !matches!(
                (b.first(), b.last()),
                (Some(b'{'), Some(b'}')) | (Some(b'['), Some(b']'))
            )
        {
            return false;
        }
        self.walk_json_parser(json::Parser::escaped(raw), 1)
    }

    pub fn text_body(&mut self, text: &str, content_type: Option<&str>) {
        let text = decode::truncate(text, self.cfg.max_body);
        let ct = content_type.unwrap_or("").to_ascii_lowercase();
        if ct.contains("multipart/form-data")
            && let Some(b) = ct.split("boundary=").nth(1)
        {
            // The boundary's case matters; take it from the original header.
            let start = ct.find("boundary=").map_or(0, |i| i + 9);
            let raw = content_type
                .unwrap_or("")
                .get(start..start + b.len())
                .unwrap_or(b);
            let boundary = raw
                .trim_matches('"')
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
            self.multipart(text, &boundary);
            return;
        }
        if ct.contains("x-www-form-urlencoded") || (ct.is_empty() && looks_like_form(text)) {
            self.form(text);
            return;
        }
        if self.walk_json_text(text, 1) {
            return;
        }
        self.scan(text);
    }

    /// `a=1&b=2`: each value (and unusual keys) at `path.<key>`.
    pub fn form(&mut self, text: &str) {
        for pair in text.split('&').take(self.cfg.max_values) {
            if pair.is_empty() {
                continue;
            }
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let key = decode::form_component(k);
            let value = decode::form_component(v);
            self.key(&key, |w| {
                if key.contains(['[', '$', '<', '\'', '"', '(', ';']) {
                    w.scan(&key);
                }
                w.walk_string(&value, 1);
            });
        }
    }

    fn multipart(&mut self, text: &str, boundary: &str) {
        if boundary.is_empty() {
            self.scan(text);
            return;
        }
        let delim = format!("--{boundary}");
        for (i, part) in text
            .split(delim.as_str())
            .enumerate()
            .skip(1)
            .take(self.cfg.max_values)
        {
            if part.starts_with("--") {
                break;
            }
            let (head, content) = part
                .split_once("\r\n\r\n")
                .or_else(|| part.split_once("\n\n"))
                .unwrap_or(("", part));
            let content = content
                .strip_suffix("\r\n")
                .or_else(|| content.strip_suffix('\n'))
                .unwrap_or(content);
            let name = header_param(head, "name").unwrap_or_default();
            let key = if name.is_empty() {
                format!("part{i}")
            } else {
                name.to_string()
            };
            self.key(&key, |w| {
                if let Some(f) = header_param(head, "filename") {
                    w.key("filename", |w| w.scan(f));
                }
                let ct = head
                    .lines()
                    .find_map(|l| {
                        l.strip_prefix("Content-Type:")
                            .or_else(|| l.strip_prefix("content-type:"))
                    })
                    .map(str::trim);
                w.text_body(content, ct);
            });
        }
    }
}

/// Whether walking `v` can reach a string (a scalar that is not one cannot).
fn has_strings(v: &Json<'_>) -> bool {
    matches!(
        v,
        Json::Str(_) | Json::Esc(..) | Json::Arr(_) | Json::Obj(_)
    )
}

fn header_param<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    let needle = format!(" {name}=\"");
    let i = head
        .find(&needle)
        .or_else(|| head.find(&format!(";{name}=\"")))?;
    let rest = &head[i + needle.len()..];
    rest.split('"').next()
}

fn looks_like_form(text: &str) -> bool {
    text.len() < 64 * 1024
        && text.contains('=')
        && !text.contains([' ', '\n', '<', '{'])
        && text.split('&').all(|p| {
            p.split_once('=')
                .is_some_and(|(k, _)| !k.is_empty() && k.len() < 256)
        })
}

/// Bytes that make an object key worth scanning as a value (`user[$ne]`, `<script>`,
/// `a'b`).
/// One for those bytes (a `u8`, not a `bool`: [`has_key_special`] ORs them without a
/// branch per byte).
static KEY_SPECIAL: [u8; 256] = {
    let mut t = [0; 256];
    t[b'[' as usize] = 1;
    t[b'$' as usize] = 1;
    t[b'<' as usize] = 1;
    t[b'\'' as usize] = 1;
    t
};

/// Whether `b` has a [`KEY_SPECIAL`] byte: every byte looked up and ORed, one branch at
/// the end (keys are short and almost never have one; an early exit per byte cost twice
/// as much).
#[inline(always)]
fn has_key_special(b: &[u8]) -> bool {
    b.iter().fold(0, |acc, &c| acc | KEY_SPECIAL[c as usize]) != 0
}

/// Whether `k` surely is no key [`KeyKind::of`] picks out, decided on `w`, the sixteen
/// input bytes from where `k` was read (when `k` is those bytes' first, not an unescaped
/// copy): one SIMD compare per special byte instead of a table lookup per key byte. A
/// key with a special byte anywhere, of nine or eleven bytes (the prototype names), or
/// longer than `w` is left to [`KeyKind::of`]; `$` is special, so is a leading one.
#[inline(always)]
fn plain_key(k: &str, w: Option<&[u8; 16]>) -> bool {
    let n = k.len();
    let Some(w) = w else {
        return false;
    };
    if n > 16 || n == 9 || n == 11 || !std::ptr::eq(w.as_ptr(), k.as_ptr()) {
        return false;
    }
    let v = u8x16::new(*w);
    let hit = v.simd_eq(u8x16::splat(b'['))
        | v.simd_eq(u8x16::splat(b'$'))
        | v.simd_eq(u8x16::splat(b'<'))
        | v.simd_eq(u8x16::splat(b'\''));
    u64::from(hit.to_bitmask()) & ((1u64 << n) - 1) == 0
}

/// What makes an object key worth a look ([`Walker::check_key`]).
#[derive(Clone, Copy)]
enum KeyKind {
    /// Starts with `$`: maybe a MongoDB operator.
    Dollar,
    /// `__proto__`, `constructor`, `prototype`.
    Prototype,
    /// Longer than two bytes with `[ $ < '` inside.
    Odd,
}

impl KeyKind {
    fn of(k: &str) -> Option<KeyKind> {
        let b = k.as_bytes();
        if b.first() == Some(&b'$') {
            Some(KeyKind::Dollar)
        } else if matches!(b.len(), 9 | 11)
            && (k == "__proto__" || k == "constructor" || k == "prototype")
        {
            Some(KeyKind::Prototype)
        } else if b.len() > 2 && has_key_special(b) {
            Some(KeyKind::Odd)
        } else {
            None
        }
    }
}

/// One step of a value's path below [`Walker::path`], borrowed from the walk's stack.
#[derive(Clone, Copy)]
enum Part<'s> {
    Key(&'s str),
    Index(usize),
}

/// A path as a chain of [`Part`]s, innermost last, rendered only on demand.
struct Seg<'s> {
    parent: Option<&'s Seg<'s>>,
    part: Part<'s>,
}

impl Seg<'_> {
    /// Appends the chain, outermost first, to `path`.
    fn render(&self, path: &mut JsonPath) {
        if let Some(p) = self.parent {
            p.render(path);
        }
        match self.part {
            Part::Key(k) => path.push_key(k),
            Part::Index(i) => path.push_index(i),
        };
    }
}

/// Whether [`embedded_json_text`] may take `s`: it starts with `{`, `[` or whitespace
/// (anything up to a space, to decide on one compare).
#[inline(always)]
fn may_be_json(s: &str) -> bool {
    s.as_bytes()
        .first()
        .is_some_and(|&b| b <= b' ' || b == b'{' || b == b'[')
}

/// `s` trimmed when it looks like a JSON object or array (and is within `max_body`).
fn embedded_json_text<'a>(s: &'a str, cfg: &Config) -> Option<&'a str> {
    // Most strings are not JSON: decide on the first byte before trimming both ends.
    if !matches!(
        s.as_bytes().iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    ) {
        return None;
    }
    let t = s.trim();
    let (first, last) = (t.as_bytes().first()?, t.as_bytes().last()?);
    if !matches!((first, last), (b'{', b'}') | (b'[', b']')) || t.len() > cfg.max_body {
        return None;
    }
    Some(t)
}

/// `inspect_value`'s implementation.
pub(crate) fn inspect_value(value: &str, cfg: &Config) -> Vec<Detection> {
    let mut w = Walker::new(cfg);
    w.walk_string(value, 0);
    w.out
}

/// `inspect_event`'s implementation.
pub(crate) fn inspect_event(event: &[u8], cfg: &Config) -> Inspection {
    inspect_with(event, cfg, Walker::new(cfg)).0
}

/// `walked_fields`' implementation.
pub(crate) fn walked_fields(event: &[u8], cfg: &Config) -> (&'static str, Vec<String>) {
    let mut w = Walker::new(cfg);
    w.record = Some(Vec::new());
    let (ins, rec) = inspect_with(event, cfg, w);
    (ins.source, rec.unwrap_or_default())
}

fn inspect_with<'c>(
    event: &[u8],
    cfg: &'c Config,
    mut w: Walker<'c>,
) -> (Inspection, Option<Vec<String>>) {
    let source;
    if event.len() > cfg.max_event {
        source = "unknown";
        w.error(format!(
            "event of {} bytes exceeds max_event ({})",
            event.len(),
            cfg.max_event
        ));
    } else {
        match json::parse_bytes(event) {
            Ok(v) => {
                let s = source::recognize(&v);
                source = s.name();
                source::walk(s, &v, &mut w);
            }
            Err(e) => {
                source = "unknown";
                w.error(format!("not JSON: {e}"));
            }
        }
    }
    let verdict = crate::verdict_of(&w.out, cfg);
    let error = if w.errors.is_empty() {
        None
    } else {
        Some(w.errors.join("; "))
    };
    let ins = Inspection {
        source,
        verdict,
        detections: w.out,
        error,
        values: w.values,
    };
    (ins, w.record)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Everything a walk records, comparable.
    fn record(body: &Json<'_>, ct: Option<&str>) -> String {
        let cfg = Config::default();
        let mut w = Walker::new(&cfg);
        w.record = Some(Vec::new());
        w.key("body", |w| w.body(body, false, ct));
        format!(
            "{:?} {} {:?} {:?}",
            w.out
                .iter()
                .map(|d| (d.kind, d.path.clone(), d.confidence, d.excerpt.clone()))
                .collect::<Vec<_>>(),
            w.values,
            w.errors,
            w.record
        )
    }

    /// Everything a walk of `f` records, comparable; with every path recorded or none
    /// (the walker's fast path for strings needs no path).
    fn outcome(paths: bool, f: impl FnOnce(&mut Walker<'_>) -> bool) -> String {
        outcome_capped(paths, Config::default().max_values, f)
    }

    /// [`outcome`] with at most `max_values` values scanned.
    fn outcome_capped(
        paths: bool,
        max_values: usize,
        f: impl FnOnce(&mut Walker<'_>) -> bool,
    ) -> String {
        let cfg = Config {
            max_values,
            ..Config::default()
        };
        let mut w = Walker::new(&cfg);
        if paths {
            w.record = Some(Vec::new());
        }
        let ok = w.key("body", f);
        format!(
            "{ok} {:?} {} {:?} {:?}",
            w.out
                .iter()
                .map(|d| (d.kind, d.path.clone(), d.confidence, d.excerpt.clone()))
                .collect::<Vec<_>>(),
            w.values,
            w.errors,
            w.record
        )
    }

    /// Documents from the corpora: benign events, and attack payloads in objects and
    /// arrays (nested, as keys, inside JSON strings).
    fn corpus_docs() -> Vec<String> {
        let dir = crate::test_corpus::DIR;
        let mut docs = Vec::new();
        let events = std::fs::read_to_string(format!("{dir}/benign_events.jsonl"));
        for line in events.unwrap_or_default().lines() {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(line) {
                docs.push(v["event"].to_string());
            }
        }
        for name in ["sqli", "xss", "nosqli", "cmdi", "path", "code", "benign"] {
            let text = std::fs::read_to_string(format!("{dir}/{name}.txt")).unwrap_or_default();
            for (n, line) in text.lines().step_by(17).take(200).enumerate() {
                let doc = serde_json::json!({
                    "q": line, "n": [1, -2.5e3, true, null, line], line: {"$ne": line},
                    "inner": serde_json::json!({"x": line}).to_string(),
                });
                docs.push(doc.to_string());
                docs.push(serde_json::to_string_pretty(&doc).unwrap_or_default());
                if n >= 8 {
                    continue;
                }
                // An array of records, the same keys object after object (what `KeyMemo`
                // remembers): keys the walker must check each time among them, escaped
                // and long ones, the order turned after three records, one record short.
                let keys = [
                    "id",
                    "$ne",
                    "__proto__",
                    "a<b",
                    "it's",
                    "x\"y",
                    "k\te",
                    "sixteen_bytes_ok",
                    "twelve_bytes",
                    line,
                ];
                let records: Vec<serde_json::Value> = (0..7)
                    .map(|i| {
                        let n = if i == 5 { 4 } else { keys.len() };
                        let record: serde_json::Map<String, serde_json::Value> = (0..n)
                            .map(|j| {
                                let k = keys[(j + i / 3) % keys.len()];
                                let v = match j % 3 {
                                    0 => serde_json::json!(line),
                                    1 => serde_json::json!(i),
                                    _ => serde_json::json!({ "v": line }),
                                };
                                (k.to_string(), v)
                            })
                            .collect();
                        serde_json::Value::Object(record)
                    })
                    .collect();
                let records = serde_json::json!({ "records": records });
                docs.push(records.to_string());
                docs.push(serde_json::to_string_pretty(&records).unwrap_or_default());
            }
        }
        docs
    }

    /// `text` with a few bytes inserted, deleted or replaced by JSON's structural ones.
    fn mutate(text: &str, rng: &mut crate::test_rng::XorShift) -> String {
        const BYTES: &[u8] = b"{}[]:,\" 0-.e\n\\tnul";
        let mut b = text.as_bytes().to_vec();
        for _ in 0..1 + rng.next() % 3 {
            let at = (rng.next() % (b.len() as u64 + 1)) as usize;
            let c = BYTES[(rng.next() % BYTES.len() as u64) as usize];
            match rng.next() % 3 {
                0 => b.insert(at, c),
                1 if at < b.len() => {
                    b.remove(at);
                }
                _ if at < b.len() => b[at] = c,
                _ => {}
            }
        }
        String::from_utf8_lossy(&b).into_owned()
    }

    /// The streaming walk (parsing as it goes, with its fast paths for compact JSON and
    /// plain strings) records exactly what parsing the whole text then walking the tree
    /// records, and declines exactly when the text does not parse: over the corpora and
    /// mutations of them, with and without recorded paths, plain and escaped.
    #[test]
    fn streamed_walk_matches_parse_then_walk() {
        let mut rng = crate::test_rng::XorShift(0x9e37_79b9_7f4a_7c15);
        let mut parsed = 0;
        for doc in corpus_docs() {
            let mut texts = vec![doc.clone()];
            texts.extend((0..8).map(|_| mutate(&doc, &mut rng)));
            for text in texts {
                let cfg = Config::default();
                if embedded_json_text(&text, &cfg) != Some(text.as_str()) {
                    continue;
                }
                for (paths, cap) in [
                    (false, usize::MAX),
                    (true, usize::MAX),
                    (false, 3),
                    (true, 3),
                ] {
                    let streamed = outcome_capped(paths, cap, |w| w.walk_json_text(&text, 1));
                    let tree = outcome_capped(paths, cap, |w| match json::parse(&text) {
                        Ok(v) => {
                            w.walk_value(&v, 1);
                            true
                        }
                        Err(_) => false,
                    });
                    assert_eq!(streamed, tree, "{text}");
                }
                parsed += usize::from(json::parse(&text).is_ok());
                // The same text as an event's escaped body (long enough to stay escaped).
                let padded = format!("[{text},\"{}\"]", "p".repeat(json::LAZY_MIN));
                let event = serde_json::json!({ "body": padded }).to_string();
                if let Ok(tree) = json::parse(&event)
                    && let Some(esc @ Json::Esc(_)) = tree.get("body")
                {
                    let ct = Some("application/json");
                    for paths in [false, true] {
                        let one_pass = outcome(paths, |w| {
                            w.body(esc, false, ct);
                            true
                        });
                        let plain = Json::Str(padded.as_str().into());
                        let two_pass = outcome(paths, |w| {
                            w.body(&plain, false, ct);
                            true
                        });
                        assert_eq!(one_pass, two_pass, "{padded}");
                    }
                }
            }
        }
        assert!(parsed > 1000, "{parsed}");
    }

    /// `plain_key` (one SIMD test on the input) passes only keys `KeyKind::of` passes,
    /// and every short key without a special byte read from the input; never a copy.
    #[test]
    fn plain_keys_are_keys_key_kind_passes() {
        const PIECES: [&str; 14] = [
            "a",
            "Z",
            "_",
            "0",
            "$",
            "[",
            "<",
            "'",
            "é",
            "]",
            "__proto__",
            "constructor",
            "prototype",
            "$ne",
        ];
        let mut rng = crate::test_rng::XorShift(0x2545_f491_4f6c_dd1d);
        let mut pick = |n: u64| {
            let k = rng.next() % (n + 1);
            (0..k)
                .map(|_| PIECES[(rng.next() % PIECES.len() as u64) as usize])
                .collect::<String>()
        };
        let mut plain = 0;
        for _ in 0..200_000 {
            let (pre, key, post) = (pick(2), pick(5), pick(8));
            let buf = format!("{pre}{key}{post}");
            let k = &buf[pre.len()..pre.len() + key.len()];
            let w = buf
                .as_bytes()
                .get(pre.len()..pre.len() + 16)
                .and_then(|b| b.as_array());
            if plain_key(k, w) {
                plain += 1;
                assert!(KeyKind::of(k).is_none(), "{k:?}");
            } else {
                assert!(
                    w.is_none()
                        || k.len() > 16
                        || matches!(k.len(), 9 | 11)
                        || k.bytes().any(|c| KEY_SPECIAL[c as usize] != 0),
                    "{k:?}"
                );
            }
            assert!(!plain_key(&key, w), "{key:?}");
        }
        assert!(plain > 10_000, "{plain}");
    }

    #[test]
    fn escaped_body_walk_matches_unescaped_body_walk() {
        let pad = "p".repeat(json::LAZY_MIN);
        for attack in [
            "1' OR '1'='1",
            "<script>alert(1)</script>",
            "; cat /etc/passwd",
            "../../etc/passwd",
            "{\"$ne\":1}",
            "{\"inner\":\"1 UNION SELECT password FROM users\"}",
            "é \\ \" / \u{1f600}",
        ] {
            let docs = [
                serde_json::json!({"pad": pad, "q": attack, "a": [attack, 1, null], attack: {"$gt": ""}}),
                serde_json::json!([{"pad": pad}, attack, {"__proto__": {"x": attack}}]),
                // Records with the same keys (remembered from one to the next, indented too),
                // one that must be checked every time among them.
                serde_json::json!([
                    {"pad": pad, "q": attack},
                    {"pad": 1, "q": attack},
                    {"pad": 2, "$where": attack},
                    {"pad": 3, "$where": attack}
                ]),
            ];
            for doc in docs {
                for body in [
                    serde_json::to_string(&doc).unwrap_or_default(),
                    serde_json::to_string_pretty(&doc).unwrap_or_default(),
                    format!("{} ", serde_json::to_string(&doc).unwrap_or_default()),
                    serde_json::to_string(&doc)
                        .unwrap_or_default()
                        .replace("é", "\\u00e9"),
                ] {
                    let event = serde_json::to_string(&serde_json::json!({ "body": body }))
                        .unwrap_or_default();
                    let Ok(tree) = json::parse(&event) else {
                        panic!("{event}");
                    };
                    let Some(esc) = tree.get("body") else {
                        panic!("{event}");
                    };
                    assert!(matches!(esc, Json::Esc(_)), "{event}");
                    let plain = Json::Str(body.as_str().into());
                    for ct in [Some("application/json"), Some("text/plain"), None] {
                        assert_eq!(record(esc, ct), record(&plain, ct), "{body}");
                        // The one-pass path really ran (it declines only with text around
                        // the document, and without a content type).
                        let one_pass = matches!(esc, Json::Esc(e) if e.value.get().is_none());
                        assert_eq!(one_pass, ct.is_some() && !body.ends_with(' '), "{body}");
                    }
                }
            }
        }
    }
}
