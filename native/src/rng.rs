//! Counter-based draws, exactly as `synth.rng.draws`: draw `j` of stream `s` of post `i` of the
//! corpus with key `k` is `mix(mix(mix(i * GOLDEN ^ k) ^ (s << 32 | j) * STREAM_MUL) + GOLDEN) >> 32`
//! in wrapping 64-bit arithmetic (`mix` is the SplitMix64 finalizer).

const M1: u64 = 0xBF58_476D_1CE4_E5B9;
const M2: u64 = 0x94D0_49BB_1331_11EB;
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;
const STREAM_MUL: u64 = 0xD6E8_FEB8_6659_FD93;
const SEED_SALT: u64 = 0x5EED_5EED_5EED_5EED;

/// The SplitMix64 finalizer.
#[inline(always)]
pub fn mix(mut z: u64) -> u64 {
    z ^= z >> 30;
    z = z.wrapping_mul(M1);
    z ^= z >> 27;
    z = z.wrapping_mul(M2);
    z ^ (z >> 31)
}

/// The 64-bit key of corpus `seed` (`synth.rng.seed_key`).
pub fn seed_key(seed: u64) -> u64 {
    mix(mix(seed) ^ SEED_SALT)
}

/// The draws of one post: every stream's draws derive from this per-post base.
#[derive(Clone, Copy, Debug)]
pub struct PostDraws {
    base: u64,
}

impl PostDraws {
    /// The draws of post `index` of the corpus with key `key`.
    #[inline]
    pub fn new(key: u64, index: u64) -> Self {
        PostDraws {
            base: mix(index.wrapping_mul(GOLDEN) ^ key),
        }
    }

    /// Draw `j` of stream id `stream`: a uniform 32-bit integer.
    #[inline(always)]
    pub fn draw(self, stream: u32, j: u32) -> u64 {
        let counter = ((u64::from(stream) << 32) | u64::from(j)).wrapping_mul(STREAM_MUL);
        mix(mix(self.base ^ counter).wrapping_add(GOLDEN)) >> 32
    }
}

/// A 32-bit draw reduced to `range(n)` (`u * n >> 32`).
#[inline(always)]
pub fn scale(u: u64, n: u64) -> u64 {
    (u * n) >> 32
}

/// How many cumulative per-mille thresholds are at or below the draw reduced to `range(1000)`
/// (numpy's `searchsorted(thresholds, u * 1000 >> 32, side="right")`).
#[inline]
pub fn bucket(u: u64, thresholds: &[u64]) -> usize {
    let x = scale(u, 1000);
    thresholds.iter().take_while(|&&t| t <= x).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_keys_match_python() {
        // synth.rng.seed_key(seed) for these seeds, printed by CPython.
        assert_eq!(seed_key(0), SEED_KEYS[0]);
        assert_eq!(seed_key(1), SEED_KEYS[1]);
        assert_eq!(seed_key((1 << 63) - 1), SEED_KEYS[2]);
    }

    #[test]
    fn draws_match_python() {
        for &(seed, index, stream, j, want) in DRAWS {
            let got = PostDraws::new(seed_key(seed), index).draw(stream, j);
            assert_eq!(
                got, want,
                "seed {seed} index {index} stream {stream} draw {j}"
            );
        }
    }

    #[test]
    fn bucket_is_searchsorted_right() {
        let th = [0, 0, 150, 450, 1000];
        assert_eq!(bucket(0, &th), 2);
        assert_eq!(bucket(u64::from(u32::MAX), &th), 4);
        // 150/1000 of 2**32, rounded up: reduces to exactly 150, which counts as reached.
        assert_eq!(bucket(644_245_095, &th), 3);
        assert_eq!(bucket(644_245_094, &th), 2);
    }

    #[test]
    fn scale_stays_below_n() {
        assert_eq!(scale(u64::from(u32::MAX), 7), 6);
        assert_eq!(scale(0, 7), 0);
    }

    include!("rng_fixtures.rs");
}
