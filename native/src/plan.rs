//! The decisions of one post from its streams' draws, as `synth.generator._plan` makes them
//! (there for a whole batch with numpy, here for one post at a time).

use crate::floyd::{distinct, Picks};
use crate::rng::{bucket, scale, PostDraws};
use crate::vocab::Vocab;

/// The generator's streams, by their position in `synth.generator.STREAMS`.
#[derive(Clone, Copy, Debug)]
#[repr(usize)]
pub enum Stream {
    Topic,
    Tools,
    Body,
    Text,
    Words,
    Checklist,
    Images,
    Numbers,
    Prose,
    Flags,
    Revision,
    Reference,
    Notes,
    Similar,
}

/// How many streams the generator draws from.
pub const STREAMS: usize = 14;
/// The budget of draws of each stream (`synth.generator.STREAMS`); the engine refuses another layout.
pub const BUDGETS: [u32; STREAMS] = [3, 11, 11, 36, 72, 9, 1, 14, 6, 2, 5, 1, 3, 6];
/// The stream id each stream draws from by default: its position.
pub const DEFAULT_IDS: [u32; STREAMS] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];

pub const MAX_CHECKS: usize = 7;
pub const MAX_FINALS: usize = 2;
pub const MAX_WORDS: usize = 16;
pub const MAX_OWN_TOOLS: usize = 6;
pub const MAX_GENERIC_TOOLS: usize = 3;
pub const MAX_ITEMS: usize = 8;
pub const STANDING_NOTES: usize = 3;
pub const MAX_DRAWN_NOTES: usize = 2;
pub const SIMILAR_WINDOW: u64 = 5000;
pub const REVIEW_DAYS: u64 = 8 * 365;

const IMAGES: [u64; 6] = [150, 600, 800, 920, 980, 1000];
const CHECKS: [u64; 8] = [0, 0, 150, 450, 750, 900, 970, 1000];
const SIMILAR: [u64; 6] = [250, 400, 600, 800, 920, 1000];
const NOTES: [u64; 3] = [700, 900, 1000];
const DIFFICULTY: [u64; 4] = [200, 650, 930, 1000];
const STATUS: [u64; 5] = [80, 450, 700, 950, 1000];
const MAJOR: [u64; 3] = [700, 920, 1000];

/// The labels of the difficulty and status buckets.
pub const DIFFICULTIES: [&str; 4] = ["beginner", "intermediate", "advanced", "expert"];
pub const STATUSES: [&str; 5] = ["draft", "reviewed", "expanded", "revised", "archived"];

/// The draws of one post, each stream read from its stream id.
#[derive(Clone, Copy, Debug)]
pub struct Rows {
    draws: PostDraws,
    ids: [u32; STREAMS],
}

impl Rows {
    pub fn new(key: u64, index: u64, ids: [u32; STREAMS]) -> Self {
        Rows {
            draws: PostDraws::new(key, index),
            ids,
        }
    }

    /// Draw `j` of `stream`.
    #[inline(always)]
    pub fn u(&self, stream: Stream, j: usize) -> u64 {
        self.draws.draw(self.ids[stream as usize], j as u32)
    }

    /// Draws `from .. from + N` of `stream`.
    #[inline]
    pub fn row<const N: usize>(&self, stream: Stream, from: usize) -> [u64; N] {
        std::array::from_fn(|j| self.u(stream, from + j))
    }

    /// The word counts of the first and second free-text sentence of paragraph slot `at` (0: none).
    #[inline]
    pub fn lengths(&self, at: usize) -> (usize, usize) {
        let [with_text, first, more, second] = self.row::<4>(Stream::Text, 4 * at);
        if scale(with_text, 1000) >= 600 {
            return (0, 0);
        }
        let one = 6 + scale(first, 4) as usize;
        let two = if scale(more, 1000) < 300 {
            4 + scale(second, 4) as usize
        } else {
            0
        };
        (one, two)
    }

    /// The Zipf-table slot of free-text word `m`: the low, then the high 16 bits of a draw.
    #[inline(always)]
    pub fn word(&self, m: usize) -> usize {
        let u = self.u(Stream::Words, m / 2);
        (if m % 2 == 0 { u & 0xFFFF } else { u >> 16 }) as usize
    }
}

/// Every decision of one post but its free text (read from [`Rows`] while it is written).
#[derive(Clone, Debug)]
pub struct Plan {
    pub rows: Rows,
    pub stack: usize,
    pub problem: usize,
    pub scenario: usize,
    pub own_tools: Picks,
    pub generic_tools: Picks,
    pub checks: Picks,
    pub finals: Picks,
    pub items: Picks,
    pub images: u64,
    pub views: i64,
    /// quality, freshness, depth, clarity
    pub scores: [u64; 4],
    /// title, intro, summary, action, brief
    pub prose: [usize; 5],
    pub difficulty: usize,
    /// ai_generated_style, needs_human_review
    pub flags: [bool; 2],
    pub status: usize,
    /// major, minor, patch
    pub version: [u64; 3],
    pub days: usize,
    pub reference: u64,
    pub notes: Picks,
    /// The first index similar posts are drawn from, and the drawn offsets.
    pub similar_low: u64,
    pub similar: Picks,
}

/// The planned number of images of a post (the defect corpus asks for it alone).
pub fn images(rows: &Rows) -> u64 {
    bucket(rows.u(Stream::Images, 0), &IMAGES) as u64
}

impl Plan {
    pub fn new(v: &Vocab, rows: Rows, index: u64) -> Self {
        let [stack, problem, scenario] = rows.row::<3>(Stream::Topic, 0);
        let stack = scale(stack, v.stacks.len() as u64) as usize;
        let (own_tools, generic_tools) = tools(v, &rows, stack);
        let (checks, finals) = body(v, &rows);
        let (similar_low, similar) = similar(&rows, index);
        let (status, version, days) = revision(&rows);
        let (views, scores) = numbers(v, &rows);
        let (prose, difficulty) = prose(v, &rows);
        Plan {
            stack,
            problem: scale(problem, v.problems.len() as u64) as usize,
            scenario: scale(scenario, v.scenarios.len() as u64) as usize,
            own_tools,
            generic_tools,
            checks,
            finals,
            items: checklist(v, &rows),
            images: images(&rows),
            views,
            scores,
            prose,
            difficulty,
            flags: flags(&rows),
            status,
            version,
            days,
            reference: scale(rows.u(Stream::Reference, 0), 10_000),
            notes: notes(v, &rows),
            similar_low,
            similar,
            rows,
        }
    }
}

fn tools(v: &Vocab, rows: &Rows, stack: usize) -> (Picks, Picks) {
    let u = rows.row::<11>(Stream::Tools, 0);
    let n_own = 3 + scale(u[0], 4) as usize;
    let n_generic = 1 + scale(u[1], 3) as usize;
    let own = distinct(&u[2..8], v.stacks[stack].tools.len() as u64, n_own);
    (own, distinct(&u[8..], v.generic.len() as u64, n_generic))
}

fn body(v: &Vocab, rows: &Rows) -> (Picks, Picks) {
    let u = rows.row::<11>(Stream::Body, 0);
    let n_checks = bucket(u[0], &CHECKS);
    let n_finals = 1 + usize::from(scale(u[1], 1000) < 250);
    let checks = distinct(&u[2..2 + MAX_CHECKS], v.checks.len() as u64, n_checks);
    (
        checks,
        distinct(&u[2 + MAX_CHECKS..], v.finals.len() as u64, n_finals),
    )
}

fn checklist(v: &Vocab, rows: &Rows) -> Picks {
    let u = rows.row::<9>(Stream::Checklist, 0);
    distinct(&u[1..], v.items.len() as u64, 3 + scale(u[0], 6) as usize)
}

/// The view count (quantile bucket plus linear interpolation, in int64) and the four scores.
fn numbers(v: &Vocab, rows: &Rows) -> (i64, [u64; 4]) {
    let u = rows.row::<14>(Stream::Numbers, 0);
    let b = scale(u[0], v.views.len() as u64) as usize;
    let (low, high) = (v.views[b], v.views_next[b]);
    let views = low.wrapping_add(high.wrapping_sub(low).wrapping_mul((u[1] >> 12) as i64) >> 20);
    let term = |i: usize| scale(u[2 + i], if !(3..9).contains(&i) { 21 } else { 31 });
    let sum = |from: usize| term(from) + term(from + 1) + term(from + 2);
    (views, [40 + sum(0), 10 + sum(3), 10 + sum(6), 40 + sum(9)])
}

fn prose(v: &Vocab, rows: &Rows) -> ([usize; 5], usize) {
    let u = rows.row::<6>(Stream::Prose, 0);
    let sizes = [
        v.titles.len(),
        v.intros.len(),
        v.summaries.len(),
        v.actions.len(),
        v.briefs.len(),
    ];
    let picks = std::array::from_fn(|i| scale(u[i], sizes[i] as u64) as usize);
    (picks, bucket(u[5], &DIFFICULTY))
}

fn flags(rows: &Rows) -> [bool; 2] {
    let [style, review] = rows.row::<2>(Stream::Flags, 0);
    [scale(style, 1000) < 850, scale(review, 1000) < 150]
}

fn revision(rows: &Rows) -> (usize, [u64; 3], usize) {
    let u = rows.row::<5>(Stream::Revision, 0);
    let version = [
        1 + bucket(u[1], &MAJOR) as u64,
        scale(u[2], 10),
        scale(u[3], 20),
    ];
    (
        bucket(u[0], &STATUS),
        version,
        scale(u[4], REVIEW_DAYS) as usize,
    )
}

fn notes(v: &Vocab, rows: &Rows) -> Picks {
    let u = rows.row::<3>(Stream::Notes, 0);
    distinct(
        &u[1..],
        (v.notes.len() - STANDING_NOTES) as u64,
        bucket(u[0], &NOTES),
    )
}

/// Up to five earlier posts within the window: every prefix of a corpus is closed under links.
fn similar(rows: &Rows, index: u64) -> (u64, Picks) {
    let u = rows.row::<6>(Stream::Similar, 0);
    let low = index.saturating_sub(SIMILAR_WINDOW);
    let count = (bucket(u[0], &SIMILAR) as u64).min(index);
    (low, distinct(&u[1..], index - low, count as usize))
}

/// Refuses a stream layout other than the one this engine implements.
pub fn check_layout(budgets: &[u32]) -> Result<(), String> {
    if budgets == BUDGETS {
        return Ok(());
    }
    Err(format!(
        "the native engine implements the stream budgets {BUDGETS:?}, the Python generator has {budgets:?}: \
         rebuild synth._native from this source tree"
    ))
}

/// Refuses pools too small for the largest sample drawn from them (Python would fail on some posts).
pub fn check_sizes(v: &Vocab) -> Result<(), String> {
    let min_tools = v.stacks.iter().map(|s| s.tools.len()).min().unwrap_or(0);
    let needs = [
        ("stacks", v.stacks.len(), 1),
        ("tools of every stack", min_tools, MAX_OWN_TOOLS),
        ("generic_tools", v.generic.len(), MAX_GENERIC_TOOLS),
        ("problems", v.problems.len(), 1),
        ("scenarios", v.scenarios.len(), 1),
        ("title_templates", v.titles.len(), 1),
        ("intro_templates", v.intros.len(), 1),
        ("summary_templates", v.summaries.len(), 1),
        ("recommended_actions", v.actions.len(), 1),
        ("brief_templates", v.briefs.len(), 1),
        ("check_paragraphs", v.checks.len(), MAX_CHECKS),
        ("final_paragraphs", v.finals.len(), MAX_FINALS),
        ("checklist_items", v.items.len(), MAX_ITEMS),
        ("notes", v.notes.len(), STANDING_NOTES + MAX_DRAWN_NOTES),
        ("view_count", v.views.len(), 1),
        ("dates", v.dates.len(), REVIEW_DAYS as usize),
    ];
    for (name, have, want) in needs {
        if have < want || have > u32::MAX as usize {
            return Err(format!(
                "{name}: {have} entries, the generator needs at least {want}"
            ));
        }
    }
    Ok(())
}
