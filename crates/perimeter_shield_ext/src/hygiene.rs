//! Container hygiene between invocations: files that appeared in the temp directory (executables always,
//! anything outside the expected patterns when those are configured) and processes the runtime started that
//! are still running after the invocation returned. Also decides when the environment has served long enough
//! and must be recycled.
//!
//! A baseline is taken when the runtime first asks for an event (after the function's init code ran): what
//! exists then is the function's own. Each later finding is reported once and joins the baseline.
//! Scans are bounded (entries, depth, processes) so a hostile /tmp cannot stall the extension.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::{Settings, glob_match};

const MAX_ENTRIES: usize = 10_000;
const MAX_DEPTH: usize = 6;
const MAX_PROCS: usize = 8_192;

/// One thing found between invocations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// A new (or newly executable) file with exec permission or executable content (ELF, `#!`).
    ExecutableFile { path: PathBuf, reason: &'static str },
    /// A new file outside `PERIMETER_SHIELD_TMP_ALLOW`.
    UnexpectedFile { path: PathBuf },
    /// A descendant of the runtime started during an invocation and still running after it returned.
    LingeringProcess { pid: u32, comm: String },
}

#[derive(Debug)]
pub struct Hygiene {
    tmp_dir: PathBuf,
    tmp_allow: Vec<String>,
    proc_allow: Vec<String>,
    state_dir: PathBuf,
    recycle_invocations: u64,
    recycle_after: Option<Duration>,
    started: Instant,
    baselined: bool,
    files: HashMap<PathBuf, bool>,
    pids: HashSet<u32>,
    runtime_pid: Option<u32>,
}

impl Hygiene {
    pub fn new(s: &Settings, started: Instant) -> Hygiene {
        Hygiene {
            tmp_dir: s.tmp_dir.clone(),
            tmp_allow: s.tmp_allow.clone(),
            proc_allow: s.proc_allow.clone(),
            state_dir: s.state_dir.clone(),
            recycle_invocations: s.recycle_invocations,
            recycle_after: s.recycle_after,
            started,
            baselined: false,
            files: HashMap::new(),
            pids: HashSet::new(),
            runtime_pid: None,
        }
    }

    /// Takes the baseline once; later calls do nothing.
    pub fn baseline(&mut self) {
        if self.baselined {
            return;
        }
        self.baselined = true;
        self.runtime_pid = fs::read_to_string(self.state_dir.join("runtime.pid"))
            .ok()
            .and_then(|s| s.trim().parse().ok());
        self.files = self.scan_files();
        self.pids = self.descendants().into_keys().collect();
    }

    /// Compares the environment with the baseline; each finding is reported once.
    pub fn check(&mut self) -> Vec<Finding> {
        if !self.baselined {
            self.baseline();
            return Vec::new();
        }
        let mut out = Vec::new();
        let now = self.scan_files();
        for (path, exec) in &now {
            match self.files.get(path) {
                Some(was_exec) if *was_exec || !*exec => continue,
                _ => {}
            }
            if *exec {
                let reason = if is_exec_mode(path) {
                    "exec-permission"
                } else {
                    "exec-content"
                };
                out.push(Finding::ExecutableFile {
                    path: path.clone(),
                    reason,
                });
            } else if !self.files.contains_key(path) && !self.tmp_allow.is_empty() {
                let rel = path
                    .strip_prefix(&self.tmp_dir)
                    .unwrap_or(path)
                    .to_string_lossy();
                if !self.tmp_allow.iter().any(|p| glob_match(p, &rel)) {
                    out.push(Finding::UnexpectedFile { path: path.clone() });
                }
            }
        }
        self.files = now;
        for (pid, comm) in self.descendants() {
            if self.pids.insert(pid) && !self.proc_allow.iter().any(|a| a == &comm) {
                out.push(Finding::LingeringProcess { pid, comm });
            }
        }
        out
    }

    /// Why the environment should be recycled now, after `invocations` invocations, if it should.
    pub fn recycle_reason(&self, invocations: u64, now: Instant) -> Option<String> {
        if self.recycle_invocations > 0 && invocations >= self.recycle_invocations {
            return Some(format!(
                "served {invocations} invocations (limit {})",
                self.recycle_invocations
            ));
        }
        if let Some(t) = self.recycle_after
            && now.duration_since(self.started) >= t
        {
            return Some(format!("alive for more than {} minutes", t.as_secs() / 60));
        }
        None
    }

    fn scan_files(&self) -> HashMap<PathBuf, bool> {
        let mut out = HashMap::new();
        let mut stack = vec![(self.tmp_dir.clone(), 0usize)];
        let mut seen = 0usize;
        while let Some((dir, depth)) = stack.pop() {
            let Ok(entries) = fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                seen += 1;
                if seen > MAX_ENTRIES {
                    return out;
                }
                let path = entry.path();
                if path.starts_with(&self.state_dir) {
                    continue;
                }
                // symlink_metadata: never follow a link out of the directory.
                let Ok(meta) = fs::symlink_metadata(&path) else {
                    continue;
                };
                if meta.is_dir() {
                    if depth + 1 < MAX_DEPTH {
                        stack.push((path, depth + 1));
                    }
                } else if meta.is_file() {
                    let exec = meta.permissions().mode() & 0o111 != 0 || has_exec_magic(&path);
                    out.insert(path, exec);
                }
            }
        }
        out
    }

    /// Running descendants of the runtime (or, when its pid is unknown, every process but this one and init),
    /// by pid, with their `comm`.
    fn descendants(&self) -> HashMap<u32, String> {
        let me = std::process::id();
        let mut out = HashMap::new();
        if let Some(root) = self.runtime_pid {
            // Walk /proc/<pid>/task/<tid>/children from the runtime down: touches only its descendants,
            // which matters on a busy host (reading every /proc/<pid>/stat can take milliseconds).
            if let Some(mut stack) = children_of(root) {
                let mut visited = 0usize;
                while let Some(pid) = stack.pop() {
                    visited += 1;
                    if visited > MAX_PROCS {
                        break;
                    }
                    if let Some(p) = read_stat(pid)
                        && p.state != 'Z'
                        && pid != me
                    {
                        out.insert(pid, p.comm);
                    }
                    stack.extend(children_of(pid).unwrap_or_default());
                }
                return out;
            }
            // No `children` files (kernel without CONFIG_PROC_CHILDREN): walk the whole table by ppid.
            let procs = read_procs();
            let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
            for (pid, p) in &procs {
                children.entry(p.ppid).or_default().push(*pid);
            }
            let mut stack = children.get(&root).cloned().unwrap_or_default();
            while let Some(pid) = stack.pop() {
                if let Some(p) = procs.get(&pid)
                    && p.state != 'Z'
                    && pid != me
                {
                    out.insert(pid, p.comm.clone());
                }
                if let Some(c) = children.get(&pid) {
                    stack.extend(c);
                }
                if out.len() > MAX_PROCS {
                    break;
                }
            }
            return out;
        }
        for (pid, p) in read_procs() {
            if pid != me && pid != 1 && p.ppid != me && p.state != 'Z' {
                out.insert(pid, p.comm);
            }
        }
        out
    }
}

/// Children of `pid` from `/proc/<pid>/task/*/children`; `None` when the kernel does not provide them.
fn children_of(pid: u32) -> Option<Vec<u32>> {
    let tasks = fs::read_dir(format!("/proc/{pid}/task")).ok()?;
    let mut out = Vec::new();
    let mut any = false;
    for t in tasks.flatten().take(MAX_PROCS) {
        if let Ok(text) = fs::read_to_string(t.path().join("children")) {
            any = true;
            out.extend(
                text.split_whitespace()
                    .filter_map(|n| n.parse::<u32>().ok()),
            );
        }
    }
    any.then_some(out)
}

fn read_stat(pid: u32) -> Option<Proc> {
    parse_stat(&fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

fn is_exec_mode(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

fn has_exec_magic(path: &Path) -> bool {
    let mut buf = [0u8; 4];
    let Ok(mut f) = fs::File::open(path) else {
        return false;
    };
    match f.read(&mut buf) {
        Ok(n) if n >= 2 => buf.starts_with(b"#!") || (n == 4 && &buf == b"\x7fELF"),
        _ => false,
    }
}

struct Proc {
    ppid: u32,
    state: char,
    comm: String,
}

fn read_procs() -> HashMap<u32, Proc> {
    let mut out = HashMap::new();
    let Ok(entries) = fs::read_dir("/proc") else {
        return out;
    };
    for entry in entries.flatten().take(MAX_PROCS * 4) {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        if let Some(p) = read_stat(pid) {
            out.insert(pid, p);
        }
        if out.len() >= MAX_PROCS {
            break;
        }
    }
    out
}

/// `pid (comm) state ppid …`; comm may hold spaces and parentheses, so split at the last `)`.
fn parse_stat(stat: &str) -> Option<Proc> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let comm = stat.get(open + 1..close)?.to_string();
    let mut rest = stat.get(close + 1..)?.split_whitespace();
    let state = rest.next()?.chars().next()?;
    let ppid = rest.next()?.parse().ok()?;
    Some(Proc { ppid, state, comm })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_parsing() {
        let p = parse_stat("42 (my (odd) proc) S 7 42 42 0 -1").unwrap();
        assert_eq!(
            (p.comm.as_str(), p.state, p.ppid),
            ("my (odd) proc", 'S', 7)
        );
        assert!(parse_stat("garbage").is_none());
    }

    #[test]
    fn new_executables_and_unexpected_files() {
        let dir = tempfile::tempdir().unwrap();
        let s = Settings {
            tmp_dir: dir.path().to_path_buf(),
            tmp_allow: vec!["cache/*".into()],
            state_dir: dir.path().join(".state"),
            ..Settings::default()
        };
        let mut h = Hygiene::new(&s, Instant::now());
        fs::write(dir.path().join("before.bin"), b"\x7fELF....").unwrap();
        h.baseline();
        fs::create_dir(dir.path().join("cache")).unwrap();
        fs::write(dir.path().join("cache/ok.json"), b"{}").unwrap();
        fs::write(dir.path().join("payload.sh"), b"#!/bin/sh\n").unwrap();
        fs::write(dir.path().join("odd.txt"), b"x").unwrap();
        let plain = dir.path().join("plain");
        fs::write(&plain, b"x").unwrap();
        let found: Vec<Finding> = h
            .check()
            .into_iter()
            .filter(|f| !matches!(f, Finding::LingeringProcess { .. }))
            .collect();
        assert!(found.contains(&Finding::ExecutableFile {
            path: dir.path().join("payload.sh"),
            reason: "exec-content"
        }));
        assert!(found.contains(&Finding::UnexpectedFile {
            path: dir.path().join("odd.txt")
        }));
        assert!(found.contains(&Finding::UnexpectedFile {
            path: plain.clone()
        }));
        assert_eq!(found.len(), 3, "{found:?}");
        // Reported once; a later chmod +x is reported again as executable.
        fs::set_permissions(&plain, fs::Permissions::from_mode(0o755)).unwrap();
        let again: Vec<Finding> = h
            .check()
            .into_iter()
            .filter(|f| !matches!(f, Finding::LingeringProcess { .. }))
            .collect();
        assert_eq!(
            again,
            vec![Finding::ExecutableFile {
                path: plain,
                reason: "exec-permission"
            }]
        );
    }

    #[test]
    fn recycling() {
        let s = Settings {
            recycle_invocations: 3,
            recycle_after: Some(Duration::from_secs(60)),
            ..Settings::default()
        };
        let t0 = Instant::now();
        let h = Hygiene::new(&s, t0);
        assert!(h.recycle_reason(2, t0).is_none());
        assert!(h.recycle_reason(3, t0).is_some());
        assert!(h.recycle_reason(0, t0 + Duration::from_secs(61)).is_some());
    }
}
