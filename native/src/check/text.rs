//! Small string tests of the check, faster than the standard ones for the short strings of a
//! post: equality of keys and closed-set values, and C017's substring search.

/// `a == b`, for the short strings keys and closed-set values are: at most two overlapping
/// words compared, where `==` calls `memcmp` (4% of the check's instructions besides SHA-256
/// went to those calls; 1.2% fewer in all with this).
#[inline]
pub fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        0 => true,
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        4..=7 => word::<4>(a, 0) == word::<4>(b, 0) && word::<4>(a, n - 4) == word::<4>(b, n - 4),
        8..=16 => word::<8>(a, 0) == word::<8>(b, 0) && word::<8>(a, n - 8) == word::<8>(b, n - 8),
        _ => a == b,
    }
}

/// The `N` bytes of `s` at `at` (in bounds: the callers' lengths say so).
#[inline]
fn word<const N: usize>(s: &[u8], at: usize) -> [u8; N] {
    let mut out = [0; N];
    out.copy_from_slice(&s[at..at + N]);
    out
}

/// `haystack.contains(needle)` for the short texts of C017: each place of the needle's first
/// byte (`memchr`) compared in turn. `str::contains` sets up a two-way searcher for every call,
/// which cost more than the search on a title.
pub fn contains(haystack: &str, needle: &str) -> bool {
    let (haystack, needle) = (haystack.as_bytes(), needle.as_bytes());
    let Some((&first, _)) = needle.split_first() else {
        return true;
    };
    memchr::memchr_iter(first, haystack).any(|at| haystack[at..].starts_with(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_text_is_equality() {
        for n in 0..40 {
            let a: String = (0..n).map(|k| char::from(b'a' + (k % 26) as u8)).collect();
            assert!(same_text(&a, &a.clone()), "{a}");
            assert!(!same_text(&a, &format!("{a}x")), "{a}");
            for k in 0..n {
                let mut b = a.clone().into_bytes();
                b[k] = b'Z';
                let b = String::from_utf8(b).expect("ASCII");
                assert!(!same_text(&a, &b), "{a} {b}");
            }
        }
        assert!(same_text("é", "é") && !same_text("é", "è"));
    }

    #[test]
    fn contains_agrees_with_str_contains() {
        let texts = [
            "",
            "a",
            "ab",
            "aab",
            "flaky tests in CI",
            "é",
            "éé",
            "aé",
            "ééa",
            "CI CI",
        ];
        let needles = [
            "", "a", "b", "ab", "aa", "é", "éa", "CI", "tests in", "CI CI", "x",
        ];
        for text in texts {
            for needle in needles {
                assert_eq!(
                    contains(text, needle),
                    text.contains(needle),
                    "{text:?} {needle:?}"
                );
            }
        }
    }
}
