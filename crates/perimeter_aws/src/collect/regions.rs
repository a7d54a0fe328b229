//! The regions `--all-regions` probes: a dated built-in list of the regions where Lambda
//! runs (so the collector needs no EC2 `DescribeRegions` permission or SDK). Opt-in regions
//! the account has not enabled refuse the credentials; the collector turns that into a gap.

/// When [`LAMBDA_REGIONS`] was last checked against the AWS regional services list.
pub const LAMBDA_REGIONS_DATE: &str = "2026-11-01";

/// Commercial-partition regions with Lambda, sorted.
pub const LAMBDA_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_and_unique() {
        let mut sorted = LAMBDA_REGIONS.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, LAMBDA_REGIONS);
    }
}
