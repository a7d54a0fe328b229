//! Compression past 70 raw points: scores stay below 100 and keep their order, and the reasons
//! still add up to the score.

use crate::Reason;
use crate::weight::{COMPRESSION_HALF, LINEAR_UNTIL};

/// The score of `raw` points: linear up to [`LINEAR_UNTIL`], then `70 + 30·x/(x+40)` for `x`
/// points past it, rounded, so it approaches 100 without reaching it and two bad functions
/// still rank apart instead of both saturating.
pub fn compressed(raw: u32) -> u32 {
    if raw <= LINEAR_UNTIL {
        return raw;
    }
    let over = f64::from(raw - LINEAR_UNTIL);
    (f64::from(LINEAR_UNTIL) + f64::from(100 - LINEAR_UNTIL) * over / (over + COMPRESSION_HALF))
        .round() as u32
}

/// Scales every reason by the same ratio (largest-remainder rounding, first reason first on
/// equal remainders) so they add up to [`compressed`] of their sum; returns that score and
/// drops reasons left at 0.
pub fn compress(reasons: &mut Vec<Reason>) -> u32 {
    let raw: u32 = reasons.iter().map(|r| r.points).sum();
    let score = compressed(raw);
    if score == raw {
        return raw;
    }
    let ratio = f64::from(score) / f64::from(raw);
    let scaled: Vec<f64> = reasons
        .iter()
        .map(|r| f64::from(r.points) * ratio)
        .collect();
    for (reason, exact) in reasons.iter_mut().zip(&scaled) {
        reason.points = exact.floor() as u32;
    }
    let mut missing = score - reasons.iter().map(|r| r.points).sum::<u32>();
    let mut order: Vec<usize> = (0..reasons.len()).collect();
    // A stable sort: equal remainders keep the reasons' order, so the result is deterministic.
    order.sort_by(|&a, &b| {
        (scaled[b] - scaled[b].floor()).total_cmp(&(scaled[a] - scaled[a].floor()))
    });
    for i in order {
        if missing == 0 {
            break;
        }
        reasons[i].points += 1;
        missing -= 1;
    }
    reasons.retain(|r| r.points > 0);
    score
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons(points: &[u32]) -> Vec<Reason> {
        points
            .iter()
            .map(|&p| Reason {
                points: p,
                factor: "exposure",
                text: String::new(),
                codes: vec![],
            })
            .collect()
    }

    #[test]
    fn compression_keeps_order_stays_below_100_and_adds_up() {
        let mut last = 0;
        for raw in [10u32, 50, 70, 71, 90, 120, 160, 300] {
            let mut r = reasons(&[raw / 2, raw - raw / 2]);
            let score = compress(&mut r);
            assert!(score >= last, "monotonic at {raw}");
            assert!(score < 100, "{raw} -> {score}");
            assert_eq!(score, r.iter().map(|x| x.points).sum::<u32>());
            if raw <= LINEAR_UNTIL {
                assert_eq!(score, raw);
            }
            last = score;
        }
        assert_eq!(compressed(110), 85, "40 past 70 is half of the last 30");
    }
}
