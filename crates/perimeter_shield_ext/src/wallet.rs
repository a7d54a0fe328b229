//! Denial-of-wallet guard: per-environment counters of invocations by caller (source IP or principal) in fixed
//! windows, with one alert per caller and window when the threshold is crossed.
//!
//! The counters live in one execution environment only (Lambda gives no shared memory across environments), so
//! the threshold is per environment: a flood spread over many concurrent environments shows up as many alerts.
//! Memory is bounded: at most `max_keys` callers per window; callers beyond that are counted together.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// The key all callers share once `max_keys` distinct ones were seen in a window.
pub const OVERFLOW_KEY: &str = "overflow:*";

/// A caller that just crossed the threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crossing {
    pub caller: String,
    pub count: u64,
}

#[derive(Debug)]
pub struct Guard {
    threshold: u64,
    window: Duration,
    max_keys: usize,
    window_start: Option<Instant>,
    counts: HashMap<String, u64>,
}

impl Guard {
    pub fn new(threshold: u64, window: Duration, max_keys: usize) -> Guard {
        Guard {
            threshold,
            window,
            max_keys,
            window_start: None,
            counts: HashMap::new(),
        }
    }

    pub fn enabled(&self) -> bool {
        self.threshold > 0
    }

    pub fn window(&self) -> Duration {
        self.window
    }

    pub fn threshold(&self) -> u64 {
        self.threshold
    }

    /// Counts one invocation from `callers` at `now`; returns the callers that crossed the threshold with it.
    pub fn observe(&mut self, callers: &[String], now: Instant) -> Vec<Crossing> {
        if !self.enabled() || callers.is_empty() {
            return Vec::new();
        }
        match self.window_start {
            Some(start) if now.duration_since(start) < self.window => {}
            _ => {
                self.window_start = Some(now);
                self.counts.clear();
            }
        }
        let mut crossings = Vec::new();
        for caller in callers {
            let key = if self.counts.contains_key(caller) || self.counts.len() < self.max_keys {
                caller.as_str()
            } else {
                OVERFLOW_KEY
            };
            let n = self.counts.entry(key.to_string()).or_insert(0);
            *n += 1;
            if *n == self.threshold + 1 {
                crossings.push(Crossing {
                    caller: key.to_string(),
                    count: *n,
                });
            }
        }
        crossings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerts_once_per_window() {
        let mut g = Guard::new(3, Duration::from_secs(60), 100);
        let t0 = Instant::now();
        let ip = vec!["ip:1.2.3.4".to_string()];
        let hits: Vec<usize> = (0..10).map(|_| g.observe(&ip, t0).len()).collect();
        assert_eq!(hits, vec![0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
        // A new window starts the count again.
        let t1 = t0 + Duration::from_secs(61);
        let hits: Vec<usize> = (0..5).map(|_| g.observe(&ip, t1).len()).collect();
        assert_eq!(hits, vec![0, 0, 0, 1, 0]);
    }

    #[test]
    fn bounded_keys() {
        let mut g = Guard::new(2, Duration::from_secs(60), 2);
        let t = Instant::now();
        let mut crossed = Vec::new();
        for i in 0..10 {
            crossed.extend(g.observe(&[format!("ip:{i}")], t));
        }
        assert_eq!(g.counts.len(), 3);
        assert_eq!(
            crossed,
            vec![Crossing {
                caller: OVERFLOW_KEY.into(),
                count: 3
            }]
        );
    }

    #[test]
    fn disabled() {
        let mut g = Guard::new(0, Duration::from_secs(60), 2);
        assert!(g.observe(&["ip:x".into()], Instant::now()).is_empty());
    }
}
