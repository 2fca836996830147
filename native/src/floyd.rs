//! `synth.rng.distinct`: `k` distinct integers of `range(n)` from `k` draws (Floyd's algorithm),
//! in the order they were chosen (the insertion order of the Python dict).

/// The most members any sample of the generator has (the eight checklist items).
pub const MAX_PICKS: usize = 8;

/// A sample of at most [`MAX_PICKS`] distinct integers, in the order they were chosen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Picks {
    len: usize,
    items: [u32; MAX_PICKS],
}

impl Picks {
    /// The members, in the order they were chosen.
    pub fn as_slice(&self) -> &[u32] {
        &self.items[..self.len]
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn contains(&self, value: u32) -> bool {
        self.as_slice().contains(&value)
    }

    fn push(&mut self, value: u32) {
        self.items[self.len] = value;
        self.len += 1;
    }
}

/// `k` distinct members of `range(n)` from the draws `us` (at least `k` of them).
///
/// Callers guarantee `k <= n`, `k <= MAX_PICKS` and `n < 2**32` (the engine checks the
/// vocabulary's pool sizes once, when it is built).
pub fn distinct(us: &[u64], n: u64, k: usize) -> Picks {
    debug_assert!(k as u64 <= n && k <= MAX_PICKS && n <= u64::from(u32::MAX));
    let mut chosen = Picks::default();
    for (step, j) in (n - k as u64..n).enumerate() {
        let t = ((us[step] * (j + 1)) >> 32) as u32;
        chosen.push(if chosen.contains(t) { j as u32 } else { t });
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOP: u64 = (1 << 32) - 1;

    #[test]
    fn zero_draws_take_the_new_maximum_after_a_collision() {
        // t is 0 each step: 0 first, then j = 8 and j = 9 because 0 is taken.
        assert_eq!(distinct(&[0, 0, 0], 10, 3).as_slice(), &[0, 8, 9]);
    }

    #[test]
    fn top_draws_choose_j_itself() {
        // (2**32 - 1) * (j + 1) >> 32 == j: the members are n-k .. n-1 in order.
        assert_eq!(distinct(&[TOP, TOP, TOP], 10, 3).as_slice(), &[7, 8, 9]);
    }

    #[test]
    fn half_draws() {
        // u = 2**31: t = (j + 1) / 2 rounded down. n=6, k=3: j=3 -> 2; j=4 -> 2 taken -> 4; j=5 -> 3.
        let half = 1 << 31;
        assert_eq!(distinct(&[half, half, half], 6, 3).as_slice(), &[2, 4, 3]);
    }

    #[test]
    fn k_zero_and_k_equal_n() {
        assert!(distinct(&[], 5, 0).is_empty());
        let all = distinct(&[TOP / 3; 8], 8, 8);
        let mut sorted = all.as_slice().to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..8).collect::<Vec<u32>>());
    }

    #[test]
    fn members_are_distinct_and_in_range() {
        let mut u = 0x1234_5678_u64;
        for n in 1..40_u64 {
            for k in 0..=MAX_PICKS.min(n as usize) {
                let us: Vec<u64> = (0..k)
                    .map(|_| {
                        u = crate::rng::mix(u);
                        u >> 32
                    })
                    .collect();
                let picks = distinct(&us, n, k);
                assert_eq!(picks.len(), k);
                assert!(picks.as_slice().iter().all(|&m| u64::from(m) < n));
                let mut seen = picks.as_slice().to_vec();
                seen.sort_unstable();
                seen.dedup();
                assert_eq!(seen.len(), k, "n {n} k {k}: {:?}", picks.as_slice());
            }
        }
    }
}
