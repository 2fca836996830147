//! Batches of posts: checked requests, the posts written one after another into one buffer,
//! each sealed with its content hash.

use sha2::{Digest, Sha256};

use crate::plan::{self, Plan, Rows, DEFAULT_IDS, STREAMS};
use crate::post::{write_post, ZERO_HASH};
use crate::rng::seed_key;
use crate::vocab::{RawVocab, Vocab};

pub const MAX_SEED: i128 = (1 << 63) - 1;
pub const MAX_INDEX: i128 = 1_000_000_000_000 - 1;
/// Room reserved per post (posts average about 4.5 kB, few pass 6 kB).
const POST_ROOM: usize = 6 << 10;
/// Posts a batch reserves room for at once; a larger batch grows its buffer as it goes.
const RESERVE_POSTS: u64 = 4096;

/// A checked request for posts `first .. first + count - 1` of a corpus.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request {
    pub key: u64,
    pub first: u64,
    pub count: u64,
    pub streams: [u32; STREAMS],
}

impl Request {
    /// The request, or a message saying which argument is out of range (as `check_request`).
    pub fn new(
        seed: i128,
        first: i128,
        count: i128,
        streams: Option<&[i128]>,
    ) -> Result<Self, String> {
        if !(0..=MAX_SEED).contains(&seed) {
            return Err(format!(
                "seed {seed} is out of range: use a seed from 0 to {MAX_SEED}"
            ));
        }
        if count < 0 {
            return Err(format!(
                "count {count} is negative: ask for zero or more posts"
            ));
        }
        if count > 0 && (first < 0 || first + count - 1 > MAX_INDEX) {
            let last = first + count - 1;
            return Err(format!(
                "post indices {first}..{last} are out of range: use indices from 0 to {MAX_INDEX}"
            ));
        }
        let streams = match streams {
            None => DEFAULT_IDS,
            Some(ids) => stream_ids(ids)?,
        };
        let (first, count) = if count == 0 {
            (0, 0)
        } else {
            (first as u64, count as u64)
        };
        Ok(Request {
            key: seed_key(seed as u64),
            first,
            count,
            streams,
        })
    }
}

impl Request {
    /// How many posts to reserve room for up front.
    fn reserve(&self) -> usize {
        self.count.min(RESERVE_POSTS) as usize
    }
}

fn stream_ids(ids: &[i128]) -> Result<[u32; STREAMS], String> {
    if ids.len() != STREAMS {
        return Err(format!(
            "streams: {} stream ids given, the generator has {STREAMS} streams",
            ids.len()
        ));
    }
    let mut out = DEFAULT_IDS;
    for (slot, &id) in out.iter_mut().zip(ids) {
        *slot = u32::try_from(id)
            .map_err(|_| format!("stream id {id} is out of range: use 0 to {}", u32::MAX))?;
    }
    Ok(out)
}

/// The generator for one locale.
#[derive(Clone, Debug)]
pub struct Engine {
    vocab: Vocab,
}

impl Engine {
    pub fn new(raw: &RawVocab) -> Result<Self, String> {
        Ok(Engine {
            vocab: Vocab::new(raw)?,
        })
    }

    /// Appends post `index` of the request's corpus, sealed, with no newline.
    pub fn write(&self, out: &mut Vec<u8>, request: &Request, index: u64) {
        out.reserve(POST_ROOM);
        let start = out.len();
        let rows = Rows::new(request.key, index, request.streams);
        let plan = Plan::new(&self.vocab, rows, index);
        let hash_at = write_post(out, &self.vocab, &plan, index);
        seal(out, start, hash_at);
    }

    /// Appends every post of the request, each followed by a newline (a JSON Lines chunk).
    pub fn lines(&self, request: &Request, out: &mut Vec<u8>) {
        out.reserve(request.reserve() * POST_ROOM);
        for index in request.first..request.first + request.count {
            self.write(out, request, index);
            out.push(b'\n');
        }
    }

    /// Appends every post of the request, one after another; returns where each ends.
    pub fn posts(&self, request: &Request, out: &mut Vec<u8>) -> Vec<usize> {
        out.reserve(request.reserve() * POST_ROOM);
        let mut ends = Vec::with_capacity(request.reserve());
        for index in request.first..request.first + request.count {
            self.write(out, request, index);
            ends.push(out.len());
        }
        ends
    }

    /// The planned number of images of the request's first post.
    pub fn images(&self, request: &Request) -> u64 {
        plan::images(&Rows::new(request.key, request.first, request.streams))
    }
}

/// Puts the first 24 hex digits of the SHA-256 of the post (hash zeroed) into its hash field.
fn seal(out: &mut [u8], start: usize, hash_at: usize) {
    debug_assert_eq!(&out[hash_at..hash_at + ZERO_HASH.len()], ZERO_HASH);
    let digest = Sha256::digest(&out[start..]);
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let field = &mut out[hash_at..hash_at + ZERO_HASH.len()];
    for (pair, byte) in field.chunks_exact_mut(2).zip(digest.iter()) {
        pair[0] = HEX[usize::from(byte >> 4)];
        pair[1] = HEX[usize::from(byte & 0xf)];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_check_their_ranges() {
        assert!(Request::new(-1, 0, 1, None)
            .unwrap_err()
            .contains("seed -1 is out of range"));
        assert!(Request::new(MAX_SEED + 1, 0, 1, None).is_err());
        assert!(Request::new(MAX_SEED, MAX_INDEX, 1, None).is_ok());
        assert!(Request::new(0, MAX_INDEX, 2, None)
            .unwrap_err()
            .contains("post indices"));
        assert!(Request::new(0, -1, 1, None).is_err());
        assert!(Request::new(0, -5, 0, None).is_ok());
        assert!(Request::new(0, 0, -1, None).is_err());
        assert!(Request::new(0, 0, 1, Some(&[0; 13])).is_err());
        assert!(Request::new(0, 0, 1, Some(&[-1; 14])).is_err());
        let ids: Vec<i128> = (100..114).collect();
        assert_eq!(Request::new(0, 0, 1, Some(&ids)).unwrap().streams[13], 113);
    }

    #[test]
    fn seal_writes_the_digest_prefix() {
        let mut post = b"x{\"hash\":\"000000000000000000000000\"}".to_vec();
        let digest = Sha256::digest(&post[1..]);
        seal(&mut post, 1, 10);
        let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
        assert_eq!(&post[10..34], hex.as_bytes());
    }
}
