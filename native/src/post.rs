//! Assembly: one post as compact JSON in schema key order, byte for byte what
//! `orjson.dumps(synth.generator._build(index, plan, v))` writes (the hash still zeroed).

use std::ops::Range;

use crate::json::{boolean, int, padded};
use crate::plan::{Plan, DIFFICULTIES, MAX_WORDS, STANDING_NOTES, STATUSES};
use crate::vocab::{Seg, Span, Stack, Template, Text, Vocab};

/// The zeroed content hash every post is written with, and sealed afterwards.
pub const ZERO_HASH: &[u8; 24] = b"000000000000000000000000";
/// The first free-text word of the second sentence of a paragraph, within its slot.
const SECOND_SENTENCE: usize = 9;
/// The most words a free-text sentence has (6 to 9 in the first, 4 to 7 in the second).
const MAX_SENTENCE: usize = 9;

/// What writing one post needs at hand.
struct Post<'a> {
    v: &'a Vocab,
    plan: &'a Plan,
    index: u64,
    stack: &'a Stack,
    /// The template fields: problem, stack, scenario, tool.
    fill: [Text; 4],
    /// Words for the reading time: spaces, plus one per piece of text.
    words: u64,
}

/// Appends post `index` planned by `plan`; returns the offset of its zeroed hash in `out`.
pub fn write_post(out: &mut Vec<u8>, v: &Vocab, plan: &Plan, index: u64) -> usize {
    let stack = &v.stacks[plan.stack];
    let tool = &stack.tools[plan.own_tools.as_slice()[0] as usize];
    let fill = [
        v.problems[plan.problem],
        stack.name,
        v.scenarios[plan.scenario],
        *tool,
    ];
    let mut post = Post {
        v,
        plan,
        index,
        stack,
        fill,
        words: 0,
    };
    post.head(out);
    let items = post.sections(out);
    post.meta_text(out);
    let hash_at = post.meta_numbers(out);
    post.meta_lists(out, items);
    hash_at
}

fn comma(out: &mut Vec<u8>, k: usize) {
    if k > 0 {
        out.push(b',');
    }
}

impl Post<'_> {
    #[inline(always)]
    fn put(&self, out: &mut Vec<u8>, text: Text) {
        self.v.text.put(out, text);
    }

    /// Appends the template filled in; returns its spaces.
    fn render(&self, out: &mut Vec<u8>, template: &Template) -> u32 {
        let mut spaces = 0;
        for seg in template.iter() {
            let text = match *seg {
                Seg::Lit(text) => text,
                Seg::Field(field) => self.fill[field],
            };
            self.put(out, text);
            spaces += text.spaces();
        }
        spaces
    }

    fn quoted(&self, out: &mut Vec<u8>, text: Text) {
        out.push(b'"');
        self.put(out, text);
        out.push(b'"');
    }

    /// Counts a piece of text holding `spaces` spaces for the reading time.
    fn count(&mut self, spaces: u32) {
        self.words += u64::from(spaces) + 1;
    }

    fn head(&mut self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"schema_version\":");
        int(out, self.v.schema_version);
        out.extend_from_slice(b",\"id\":\"alphanode-");
        padded(out, self.index, 6);
        out.extend_from_slice(b"\",\"title\":\"");
        self.count(self.render(out, &self.v.titles[self.plan.prose[0]]));
        out.extend_from_slice(b"\",\"intro\":\"");
        self.count(self.render(out, &self.v.intros[self.plan.prose[1]]));
        out.extend_from_slice(b"\",\"images\":[");
        for n in 1..=self.plan.images {
            comma(out, n as usize - 1);
            out.extend_from_slice(b"{\"caption\":\"");
            self.caption(out, n);
            out.extend_from_slice(b"\",\"source\":\"");
            self.put(out, self.v.image_host);
            out.extend_from_slice(b"\"}");
        }
        out.push(b']');
    }

    fn caption(&self, out: &mut Vec<u8>, n: u64) {
        self.put(out, self.fill[0]);
        out.extend_from_slice(b" with ");
        self.put(out, self.stack.name);
        out.extend_from_slice(b" visual reference ");
        int(out, n);
    }

    /// The three sections; returns where the checklist's JSON array is (meta repeats it).
    fn sections(&mut self, out: &mut Vec<u8>) -> Range<usize> {
        out.extend_from_slice(
            b",\"sections\":[{\"kind\":\"paragraphs\",\"heading\":\"production checks\",\"paragraphs\":[",
        );
        self.paragraphs(out, false);
        out.extend_from_slice(
            b"]},{\"kind\":\"checklist\",\"heading\":\"implementation checklist\",\"items\":[",
        );
        let items = out.len() - 1;
        for (k, &i) in self.plan.items.as_slice().iter().enumerate() {
            comma(out, k);
            let item = self.v.items[i as usize];
            self.quoted(out, item);
            self.count(item.spaces());
        }
        out.push(b']');
        let items = items..out.len();
        out.extend_from_slice(
            b"},{\"kind\":\"paragraphs\",\"heading\":\"final notes\",\"paragraphs\":[",
        );
        self.paragraphs(out, true);
        out.extend_from_slice(b"]}]");
        items
    }

    /// The production-check (or final-note) paragraphs, each with its free-text sentences.
    fn paragraphs(&mut self, out: &mut Vec<u8>, finals: bool) {
        let (picks, pool, first_slot) = if finals {
            (&self.plan.finals, &self.v.finals, self.plan.checks.len())
        } else {
            (&self.plan.checks, &self.v.checks, 0)
        };
        for (k, &p) in picks.as_slice().iter().enumerate() {
            comma(out, k);
            out.push(b'"');
            let spaces = self.render(out, &pool[p as usize]) + self.sentences(out, first_slot + k);
            self.count(spaces);
            out.push(b'"');
        }
    }

    /// The free-text sentences of paragraph slot `slot`; returns their spaces.
    fn sentences(&self, out: &mut Vec<u8>, slot: usize) -> u32 {
        let (one, two) = self.plan.rows.lengths(slot);
        let mut spaces = 0;
        if one > 0 {
            spaces += self.sentence(out, MAX_WORDS * slot, one);
            if two > 0 {
                spaces += self.sentence(out, MAX_WORDS * slot + SECOND_SENTENCE, two);
            }
        }
        spaces
    }

    /// `" " + separator.join(words) + terminator` for the `n` words from word `from`; returns
    /// its spaces. Every word is looked up before any is copied, so that the loads overlap.
    fn sentence(&self, out: &mut Vec<u8>, from: usize, n: usize) -> u32 {
        let (words, rows) = (&self.v.words, &self.plan.rows);
        let spans: [Span; MAX_SENTENCE] = std::array::from_fn(|k| {
            if k < n {
                words.span(rows.word(from + k))
            } else {
                Span::default()
            }
        });
        out.push(b' ');
        let mut spaces = 1 + self.v.terminator.spaces();
        for (k, &span) in spans[..n].iter().enumerate() {
            spaces += words.put(out, span, k == 0);
        }
        self.put(out, self.v.terminator);
        spaces
    }

    fn meta_text(&self, out: &mut Vec<u8>) {
        let (v, [problem, stack, scenario, _]) = (self.v, self.fill);
        out.extend_from_slice(b",\"meta\":{\"topic\":\"");
        self.put(out, problem);
        out.extend_from_slice(b" / ");
        self.put(out, stack);
        out.extend_from_slice(b"\",\"summary\":\"");
        self.render(out, &v.summaries[self.plan.prose[2]]);
        out.extend_from_slice(b"\",\"ai_outline\":{\"context\":\"");
        self.put(out, scenario);
        out.extend_from_slice(b"\",\"problem\":\"");
        self.put(out, problem);
        out.extend_from_slice(b"\",\"stack\":\"");
        self.put(out, stack);
        out.extend_from_slice(b"\",\"recommended_action\":\"");
        self.put(out, v.actions[self.plan.prose[3]]);
        out.extend_from_slice(b"\"},\"ai_brief\":\"");
        self.put(out, v.briefs[self.plan.prose[4]]);
        out.extend_from_slice(b"\",\"stack\":[\"");
        self.put(out, stack);
        out.extend_from_slice(b"\",\"");
        self.put(out, self.stack.area);
        out.extend_from_slice(b"\",\"");
        self.put(out, self.stack.language);
        out.extend_from_slice(b"\"],\"tools\":[");
        self.tools(out);
        out.extend_from_slice(b"],\"code_language\":\"");
        self.put(out, self.stack.language);
        out.extend_from_slice(b"\",\"difficulty\":\"");
        out.extend_from_slice(DIFFICULTIES[self.plan.difficulty].as_bytes());
        out.push(b'"');
    }

    /// The stack's own tools, then the generic ones it does not already have.
    fn tools(&self, out: &mut Vec<u8>) {
        let own = self.plan.own_tools.as_slice();
        for (k, &i) in own.iter().enumerate() {
            comma(out, k);
            self.quoted(out, self.stack.tools[i as usize]);
        }
        for &g in self.plan.generic_tools.as_slice() {
            let name = self.v.generic[g as usize];
            if !own.iter().any(|&i| self.stack.tools[i as usize] == name) {
                out.push(b',');
                self.quoted(out, name);
            }
        }
    }

    /// Reading time to the flags; returns the offset of the zeroed hash.
    fn meta_numbers(&self, out: &mut Vec<u8>) -> usize {
        let plan = self.plan;
        out.extend_from_slice(b",\"reading_time\":");
        int(out, ((self.words + 20) / 40).clamp(1, 600));
        out.extend_from_slice(b",\"view_count\":");
        int(out, plan.views);
        let keys: [&[u8]; 4] = [
            b",\"score\":{\"quality\":",
            b",\"freshness\":",
            b",\"depth\":",
            b",\"clarity\":",
        ];
        for (key, score) in keys.iter().zip(plan.scores) {
            out.extend_from_slice(key);
            int(out, score);
        }
        out.extend_from_slice(b"},\"revision\":{\"status\":\"");
        out.extend_from_slice(STATUSES[plan.status].as_bytes());
        out.extend_from_slice(b"\",\"version\":\"");
        let [major, minor, patch] = plan.version;
        int(out, major);
        out.push(b'.');
        int(out, minor);
        out.push(b'.');
        int(out, patch);
        out.extend_from_slice(b"\",\"last_reviewed\":\"");
        self.put(out, self.v.dates[plan.days]);
        out.extend_from_slice(b"\"},\"reference\":\"anp-ref-");
        padded(out, self.index, 6);
        out.push(b'-');
        padded(out, plan.reference, 4);
        out.extend_from_slice(b"\",\"hash\":\"");
        let hash_at = out.len();
        out.extend_from_slice(ZERO_HASH);
        out.extend_from_slice(b"\",\"flags\":{\"ai_generated_style\":");
        boolean(out, plan.flags[0]);
        out.extend_from_slice(b",\"has_images\":");
        boolean(out, plan.images > 0);
        out.extend_from_slice(b",\"image_heavy\":");
        boolean(out, plan.images >= 3);
        out.extend_from_slice(b",\"needs_human_review\":");
        boolean(out, plan.flags[1]);
        out.push(b'}');
        hash_at
    }

    fn meta_lists(&self, out: &mut Vec<u8>, items: Range<usize>) {
        let [problem, stack, scenario, _] = self.fill;
        out.extend_from_slice(b",\"checklist\":");
        out.extend_from_within(items);
        out.extend_from_slice(b",\"entities\":[{\"name\":\"");
        self.put(out, stack);
        out.extend_from_slice(b"\",\"type\":\"stack\"},{\"name\":\"");
        self.put(out, self.stack.area);
        out.extend_from_slice(b"\",\"type\":\"area\"},{\"name\":\"");
        self.put(out, problem);
        out.extend_from_slice(b"\",\"type\":\"problem\"}],\"image_sources\":[");
        self.image_sources(out);
        out.extend_from_slice(b"],\"payload\":{\"source_id\":\"alphanode-");
        padded(out, self.index, 6);
        out.extend_from_slice(b"\",\"generator\":\"");
        self.put(out, self.v.generator);
        out.extend_from_slice(b"\",\"paragraphs\":");
        int(out, self.plan.checks.len() + self.plan.finals.len());
        out.extend_from_slice(b",\"scenario\":\"");
        self.put(out, scenario);
        out.extend_from_slice(b"\",\"seed\":");
        int(out, self.index);
        out.extend_from_slice(b"},\"notes\":[");
        self.notes(out);
        out.extend_from_slice(b"]},\"similar_posts\":[");
        self.similar(out);
        out.extend_from_slice(b"]}");
    }

    fn image_sources(&self, out: &mut Vec<u8>) {
        let host = self.v.image_host;
        for n in 1..=self.plan.images {
            comma(out, n as usize - 1);
            out.extend_from_slice(b"{\"source\":\"");
            self.put(out, host);
            out.extend_from_slice(b"\",\"url\":\"https://");
            self.put(out, host);
            out.extend_from_slice(b"/seed/anp-");
            padded(out, self.index, 6);
            if n > 1 {
                out.push(b'-');
                int(out, n);
            }
            out.extend_from_slice(b"/1200/630\",\"caption\":\"");
            self.caption(out, n);
            out.extend_from_slice(b"\"}");
        }
    }

    /// The three standing notes, then the drawn ones.
    fn notes(&self, out: &mut Vec<u8>) {
        let notes = &self.v.notes;
        let drawn = self
            .plan
            .notes
            .as_slice()
            .iter()
            .map(|&i| STANDING_NOTES + i as usize);
        for (k, i) in (0..STANDING_NOTES).chain(drawn).enumerate() {
            comma(out, k);
            self.quoted(out, notes[i]);
        }
    }

    fn similar(&self, out: &mut Vec<u8>) {
        for (k, &j) in self.plan.similar.as_slice().iter().enumerate() {
            comma(out, k);
            out.extend_from_slice(b"\"alphanode-");
            padded(out, self.plan.similar_low + u64::from(j), 6);
            out.push(b'"');
        }
    }
}
