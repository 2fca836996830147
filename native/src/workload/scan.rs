//! The scan of `synth.workload.scan` for the posts the native reader takes: tokens, phrase
//! matches, filter columns, then every query evaluated over a chunk and tallied (count, sum of
//! the id hashes modulo 2^128, the numbers while at most `max_ids`, the hash for `id` queries).
//! Everything it computes is order-independent, so Python merges it with the answers of the
//! posts it scanned itself.

use std::collections::{HashMap as StdMap, HashSet as StdSet};
use std::hash::{BuildHasherDefault, Hasher};

use serde_json::Value;

use crate::workload::chunk::{intersect, Check, Chunk};
use crate::workload::post::{self, Cell, Kind};
use crate::workload::tokens::{self, Sink};

/// A fast non-cryptographic hasher (FxHash's multiply-rotate) for the scan's small keys; the
/// maps are built from the workload, not from input an attacker chooses per entry.
#[derive(Default, Clone, Copy)]
pub struct Fx(u64);

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

pub(crate) type HashMap<K, V> = StdMap<K, V, BuildHasherDefault<Fx>>;
type HashSet<K> = StdSet<K, BuildHasherDefault<Fx>>;

const OTHER: i32 = -1;
const DIRTY: i32 = -2;
/// Posts with more stream entries than this have no clean phrase match (scan.py `LONG`).
const LONG: usize = 12_000;
/// Dirty segments remembered (so Python sees each once), emptied when full.
const SEEN: usize = 1 << 16;

/// A filter condition, with keyword values coded.
#[derive(Clone, Debug)]
pub enum Cond {
    Equal { column: usize, value: i64 },
    Range { column: usize, low: i64, high: i64 },
    Tool(u32),
    Keyword { column: usize, value: String },
}

/// A query: all its clauses must hold.
#[derive(Clone, Debug, Default)]
pub struct Probe {
    pub terms: Vec<u32>,
    pub phrase: Option<u32>,
    pub conds: Vec<Cond>,
    pub number: Option<i64>,
    pub link: Option<u32>,
}

/// What a scan is built from (see `synth.workload.native`).
pub struct Config {
    pub words: Vec<String>,
    pub phrases: Vec<Vec<u32>>,
    pub tools: Vec<String>,
    pub links: Vec<String>,
    pub fields: Vec<(Vec<String>, Kind)>,
    pub probes: Vec<Probe>,
    pub max_ids: usize,
}

/// A post of the chunk: its number, the ids of its words, clean phrases, tools and links (each
/// once), and its filter cells.
pub(crate) struct Row {
    pub number: i64,
    pub words: Vec<u32>,
    pub phrases: Vec<u32>,
    pub tools: Vec<u32>,
    pub links: Vec<u32>,
    pub cells: Vec<i64>,
}

/// One query's answer so far.
#[derive(Clone, Default)]
pub struct Answer {
    pub count: u64,
    pub sum: u128,
    pub numbers: Option<Vec<i64>>,
    pub hash: Option<String>,
}

pub struct Scanner {
    words: HashMap<String, u32>,
    tools: HashMap<String, u32>,
    links: HashMap<String, u32>,
    phrases: Vec<Vec<u32>>,
    heads: HashMap<(u32, u32), Vec<u32>>,
    fields: Vec<(Vec<String>, Kind)>,
    codes: Vec<HashMap<String, i64>>,
    probes: Vec<Probe>,
    checks: Vec<Vec<Check>>,
    eq_columns: Vec<bool>,
    max_ids: usize,
    rows: Vec<Row>,
    ids: Vec<String>,
    hashes: Vec<String>,
    pub answers: Vec<Answer>,
    pub hyphen: Vec<bool>,
    pub unsafe_phrases: Vec<bool>,
    seen: HashSet<String>,
    /// The last post each word was seen in (its words are kept once each, without a sort).
    stamps: Vec<u64>,
    pub posts: u64,
}

fn index(names: &[String]) -> HashMap<String, u32> {
    names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), i as u32))
        .collect()
}

/// The tokens of a post: word ids, dirty segments, hyphenated words.
struct Tokens<'a> {
    words: &'a HashMap<String, u32>,
    stream: Vec<i32>,
    dirty: Vec<String>,
    hyphen: Vec<u32>,
}

impl Sink for Tokens<'_> {
    fn key(&mut self, key: &str) {
        self.stream
            .push(self.words.get(key).map_or(OTHER, |&w| w as i32));
    }
    fn dirty(&mut self, segment: &str, token: bool) {
        if token {
            self.stream.push(DIRTY);
        }
        self.dirty.push(segment.to_owned());
    }
    fn hyphen(&mut self, key: &str) {
        if let Some(&w) = self.words.get(key) {
            self.hyphen.push(w);
        }
    }
}

impl Scanner {
    pub fn new(config: Config) -> Result<Self, String> {
        if config.phrases.iter().any(|p| p.len() < 2) {
            return Err("a phrase of fewer than two words".into());
        }
        let mut heads: HashMap<(u32, u32), Vec<u32>> = HashMap::default();
        for (k, p) in config.phrases.iter().enumerate() {
            heads.entry((p[0], p[1])).or_default().push(k as u32);
        }
        let mut codes: Vec<HashMap<String, i64>> = vec![HashMap::default(); config.fields.len()];
        let checks: Vec<Vec<Check>> = config
            .probes
            .iter()
            .map(|p| {
                p.conds
                    .iter()
                    .filter_map(|c| Check::of(c, &mut codes))
                    .collect()
            })
            .collect();
        let mut eq_columns = vec![false; config.fields.len()];
        for check in checks.iter().flatten().filter(|c| c.low == c.high) {
            eq_columns[check.column] = true;
        }
        Ok(Scanner {
            words: index(&config.words),
            tools: index(&config.tools),
            links: index(&config.links),
            heads,
            hyphen: vec![false; config.words.len()],
            unsafe_phrases: vec![false; config.phrases.len()],
            answers: vec![
                Answer {
                    numbers: Some(Vec::new()),
                    ..Answer::default()
                };
                config.probes.len()
            ],
            phrases: config.phrases,
            fields: config.fields,
            codes,
            probes: config.probes,
            checks,
            eq_columns,
            max_ids: config.max_ids,
            rows: Vec::new(),
            ids: Vec::new(),
            hashes: Vec::new(),
            seen: HashSet::default(),
            stamps: vec![u64::MAX; config.words.len()],
            posts: 0,
        })
    }

    /// Posts read so far and not evaluated yet.
    pub fn pending(&self) -> &[String] {
        &self.ids
    }

    /// Reads one post (JSON bytes) into the chunk; false (and nothing changed) when Python must.
    /// New dirty segments go to `dirty`.
    pub fn add(&mut self, line: &[u8], dirty: &mut Vec<String>) -> bool {
        let Ok(line) = serde_json::from_slice::<post::Line>(line) else {
            return false;
        };
        let Ok(meta) = serde_json::from_str::<Value>(line.meta.get()) else {
            return false;
        };
        let Some(read) = post::read(&line, &meta, &self.fields) else {
            return false;
        };
        let mut tokens = Tokens {
            words: &self.words,
            stream: Vec::new(),
            dirty: Vec::new(),
            hyphen: Vec::new(),
        };
        for piece in &read.pieces {
            if tokens::tokenize(piece, &mut tokens).is_err() {
                return false;
            }
            tokens.stream.push(DIRTY);
        }
        let (stream, hyphen, found) = (tokens.stream, tokens.hyphen, tokens.dirty);
        let long = stream.len() + 1 > LONG;
        let phrases = self.phrases_of(&stream, long);
        for w in hyphen {
            self.hyphen[w as usize] = true;
        }
        for segment in found {
            if self.seen.len() >= SEEN {
                self.seen.clear();
            }
            if self.seen.insert(segment.clone()) {
                dirty.push(segment);
            }
        }
        let post = self.posts + self.rows.len() as u64; // unique among the posts read
        let mut words = Vec::new();
        for &t in stream.iter().filter(|&&t| t >= 0) {
            if std::mem::replace(&mut self.stamps[t as usize], post) != post {
                words.push(t as u32);
            }
        }
        let cells = read.cells.iter().zip(&self.fields).enumerate();
        let cells = cells
            .map(|(k, (cell, _))| match cell {
                Cell::Int(v) => *v,
                Cell::Absent => -1,
                Cell::Text(s) => intern(&mut self.codes[k], s),
            })
            .collect();
        let pick = |names: &[&str], map: &HashMap<String, u32>| {
            names.iter().filter_map(|n| map.get(*n).copied()).collect()
        };
        self.rows.push(Row {
            number: read.number,
            words,
            phrases,
            tools: pick(&read.tools, &self.tools),
            links: pick(&read.links, &self.links),
            cells,
        });
        self.ids.push(read.id.to_owned());
        self.hashes.push(read.hash.to_owned());
        true
    }

    /// The phrases with a clean match in a post's stream; marks those with only unclean ones.
    fn phrases_of(&mut self, stream: &[i32], long: bool) -> Vec<u32> {
        let orig: Vec<usize> = (0..stream.len()).filter(|&i| stream[i] != DIRTY).collect();
        let loose: Vec<i32> = orig.iter().map(|&i| stream[i]).collect();
        let (mut found, mut clean) = (Vec::new(), Vec::new());
        for i in 0..loose.len().saturating_sub(1) {
            let (a, b) = (loose[i], loose[i + 1]);
            if a < 0 || b < 0 {
                continue;
            }
            let Some(candidates) = self.heads.get(&(a as u32, b as u32)) else {
                continue;
            };
            for &k in candidates {
                let phrase = &self.phrases[k as usize];
                let end = i + phrase.len();
                if end > loose.len()
                    || !loose[i..end]
                        .iter()
                        .zip(phrase)
                        .all(|(&t, &w)| t == w as i32)
                {
                    continue;
                }
                found.push(k);
                if !long && orig[end - 1] - orig[i] == phrase.len() - 1 {
                    clean.push(k);
                }
            }
        }
        clean.sort_unstable();
        clean.dedup();
        for k in found {
            if clean.binary_search(&k).is_err() {
                self.unsafe_phrases[k as usize] = true;
            }
        }
        clean
    }

    /// Evaluates every query over the chunk read so far; `hashes` are the 128-bit hashes of
    /// the pending ids (little-endian). The chunk is emptied.
    ///
    /// A query's candidates are the intersection of the posting lists of its words, phrase,
    /// link, number and tools (every post of the chunk when it has none); its conditions on
    /// the filter columns are then checked on those posts alone, column by column.
    pub fn evaluate(&mut self, hashes: &[u128]) -> Result<(), String> {
        if hashes.len() != self.rows.len() {
            return Err(format!(
                "{} hashes for {} posts",
                hashes.len(),
                self.rows.len()
            ));
        }
        let chunk = Chunk::of(
            &self.rows,
            [
                self.words.len(),
                self.tools.len(),
                self.links.len(),
                self.phrases.len(),
            ],
            &self.eq_columns,
        );
        let all: Vec<u32> = (0..self.rows.len() as u32).collect();
        let (mut lists, mut found, mut kept) = (Vec::new(), Vec::new(), Vec::new());
        for (q, probe) in self.probes.iter().enumerate() {
            chunk.lists(probe, &mut lists);
            let checks = &self.checks[q];
            let candidates: &[u32] = if lists.is_empty() {
                chunk.narrowest(checks).unwrap_or(&all)
            } else {
                intersect(&mut lists, &mut found);
                &found
            };
            let rows = if checks.is_empty() {
                candidates
            } else {
                chunk.keep(candidates, checks, &mut kept);
                &kept
            };
            let answer = &mut self.answers[q];
            let first = rows.first().copied();
            for &r in rows {
                answer.count += 1;
                answer.sum = answer.sum.wrapping_add(hashes[r as usize]);
                if let Some(numbers) = &mut answer.numbers {
                    if numbers.len() >= self.max_ids {
                        answer.numbers = None;
                    } else {
                        numbers.push(chunk.numbers[r as usize]);
                    }
                }
            }
            if let (Some(r), Some(_)) = (first, probe.number) {
                answer.hash = Some(self.hashes[r as usize].clone());
            }
        }
        self.posts += self.rows.len() as u64;
        self.rows.clear();
        self.ids.clear();
        self.hashes.clear();
        Ok(())
    }
}

pub(crate) fn intern(codes: &mut HashMap<String, i64>, value: &str) -> i64 {
    if let Some(&code) = codes.get(value) {
        return code;
    }
    let code = codes.len() as i64;
    codes.insert(value.to_owned(), code);
    code
}
