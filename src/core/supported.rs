//! Which release branches are supported: the reference keeps the latest
//! releases and the long-term ones (every version divisible by 12) under
//! CI; by default the three newest and the two newest LTS branches.

use semver::Version;

/// How many of the newest branches are supported by default.
pub const LATEST: usize = 3;
/// How many of the newest LTS branches are supported by default.
pub const LTS: usize = 2;

pub fn is_lts(v: &Version) -> bool {
    v.major > 0 && v.major.is_multiple_of(12)
}

/// The supported ones among `branches` (any order), newest first.
pub fn supported(branches: &[Version], latest: usize, lts: usize) -> Vec<Version> {
    let mut all = branches.to_vec();
    all.sort_by(|a, b| b.cmp(a));
    let mut out: Vec<Version> = all.iter().take(latest).cloned().collect();
    for v in all.iter().filter(|v| is_lts(v)).take(lts) {
        if !out.contains(v) {
            out.push(v.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latest_three_and_two_lts() {
        let branches: Vec<Version> = (1..=40).map(|n| Version::new(n, 0, 0)).collect();
        let s: Vec<u64> = supported(&branches, 3, 2).iter().map(|v| v.major).collect();
        assert_eq!(s, [40, 39, 38, 36, 24]);
        let s: Vec<u64> = supported(&branches[..36], 3, 2)
            .iter()
            .map(|v| v.major)
            .collect();
        assert_eq!(s, [36, 35, 34, 24]);
    }
}
