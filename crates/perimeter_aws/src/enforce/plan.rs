//! What to do with one function, from its live state and whether it breaks the policy. Pure,
//! so the kill switch's decisions are tested without an account.

use super::tags::BlockTags;

/// A function's kill-switch state as read from the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionState {
    /// Function ARN (unqualified).
    pub arn: String,
    /// Reserved concurrency (`None`: the function shares the unreserved pool).
    pub reserved: Option<i32>,
    /// The block recorded by an earlier run, when there was one.
    pub block: Option<BlockTags>,
}

impl FunctionState {
    /// `true` when the function cannot run: reserved concurrency 0.
    pub fn is_stopped(&self) -> bool {
        self.reserved == Some(0)
    }
}

/// The decision for one function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Breaks the policy and is not blocked: set concurrency 0 and tag it.
    Block { previous: Option<i32> },
    /// Was blocked, someone lifted the block (concurrency no longer 0) without fixing the
    /// cause: set 0 again, keeping the previous concurrency recorded by the first block.
    Reapply {
        previous: Option<i32>,
        lifted_to: Option<i32>,
    },
    /// Breaks the policy and is still blocked: nothing to do.
    AlreadyBlocked,
    /// Blocked earlier but no longer breaks the policy: left as is (restoring is a human
    /// decision: `perimeter enforce --restore`).
    BlockedButFixed,
    /// Complies and carries no block.
    Nothing,
}

/// Decides what to do with a function in `state` that does (`violates`) or does not break the
/// policy.
pub fn decide(state: &FunctionState, violates: bool) -> Action {
    match (&state.block, violates) {
        (None, false) => Action::Nothing,
        (None, true) => Action::Block {
            previous: state.reserved,
        },
        (Some(_), false) => Action::BlockedButFixed,
        (Some(_), true) if state.is_stopped() => Action::AlreadyBlocked,
        (Some(block), true) => Action::Reapply {
            previous: block.previous,
            lifted_to: state.reserved,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(reserved: Option<i32>, previous: Option<Option<i32>>) -> FunctionState {
        FunctionState {
            arn: "arn:aws:lambda:us-east-1:1:function:f".into(),
            reserved,
            block: previous.map(|previous| BlockTags {
                by: "perimeter".into(),
                at: "t".into(),
                reason: "r".into(),
                previous,
            }),
        }
    }

    #[test]
    fn decisions() {
        assert_eq!(decide(&state(None, None), false), Action::Nothing);
        assert_eq!(
            decide(&state(Some(7), None), true),
            Action::Block { previous: Some(7) }
        );
        assert_eq!(
            decide(&state(None, None), true),
            Action::Block { previous: None }
        );
        assert_eq!(
            decide(&state(Some(0), Some(Some(7))), true),
            Action::AlreadyBlocked
        );
        assert_eq!(
            decide(&state(Some(50), Some(Some(7))), true),
            Action::Reapply {
                previous: Some(7),
                lifted_to: Some(50)
            }
        );
        assert_eq!(
            decide(&state(None, Some(None)), true),
            Action::Reapply {
                previous: None,
                lifted_to: None
            }
        );
        assert_eq!(
            decide(&state(Some(0), Some(None)), false),
            Action::BlockedButFixed
        );
    }
}
