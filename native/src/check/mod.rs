//! The native check: whether one line is a post free of every parse (P), schema (S) and
//! consistency (C) finding, exactly as `synth.validate.check.check_record` would find it.
//!
//! It answers [`Verdict::Accept`] with what the next stages need (id, hash, the R002 digest,
//! the rows), or defers: the Python path, the reference, then produces the findings. A
//! deferred record is one the Python path rejects (or, for a kind of input the check does not
//! handle, may accept after all); an accepted one is never one it rejects. The checker holds
//! no schema of its own: [`spec`] is what Python derives from the pydantic model.
//!
//! Modules: [`tree`] (the parser), [`spec`], [`schema`] (layer S), [`rules`] (layer C),
//! [`pattern`] (the model's patterns), [`canon`] (canonical bytes, the content hash and digests), [`rows`] (the importer's rows),
//! [`text`] (string tests).

pub mod canon;
pub mod pattern;
pub mod py;
pub mod rows;
pub mod rules;
pub mod schema;
pub mod spec;
pub mod text;
pub mod tree;

use rows::{Cell, Children, Column};
use rules::{Keys, Post, C014};
use spec::Spec;

/// What a run asks of the check.
#[derive(Debug, Clone)]
pub struct Options {
    /// The selected consistency rules (bit `n - 1` for `Cn`): only these make a record deferred.
    pub select: u32,
    /// The as-of date of C015, `YYYY-MM-DD`.
    pub as_of: String,
    /// Compute R002's digest of title, intro and sections.
    pub content: bool,
    /// Produce the importer's rows.
    pub rows: bool,
    /// Produce the rows in COPY's text format too.
    pub copy: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defer {
    /// Not one JSON value within the depth of a post (a P finding, or S for deep input).
    Parse,
    /// Not a valid post by the schema (an S finding, or P008 for a repeated key).
    Schema,
    /// Selected consistency rules fail (the mask).
    Rules(u32),
    /// Selected consistency rules whose verdict depends on what Python says of a character
    /// (C010: `str.isdigit` beyond ASCII); the Python path decides them.
    Undecided(u32),
}

/// A valid post: what the next stages need (owned: the tree is gone once the line is checked).
pub struct Accepted {
    pub id: String,
    pub hash: String,
    pub similar: Vec<String>,
    /// Consistency rules that fail but are not selected (C014 is computed only when selected).
    pub failed: u32,
    pub content: Option<[u8; 12]>,
    /// The `posts` row (its last column `doc` is `orjson.dumps` of the decoded post) and the
    /// child rows, with `Options::rows`.
    pub rows: Option<(Vec<Cell>, Children)>,
    /// The rows in COPY's text format, with `Options::copy`.
    pub copy: Option<[Vec<u8>; 4]>,
}

pub enum Verdict {
    Accept(Box<Accepted>),
    Defer(Defer),
}

/// Buffers a thread's checks reuse.
#[derive(Default)]
pub struct Scratch {
    canonical: Vec<u8>,
    other: Vec<u8>,
}

pub struct Checker {
    pub spec: Spec,
    pub keys: Keys,
    pub columns: Vec<Column>,
}

impl Checker {
    /// A checker from the spec's JSON and the `posts` columns of the rows (may be empty).
    pub fn new(spec: &[u8], columns: &[String]) -> Result<Checker, String> {
        let spec = Spec::from_json(spec)?;
        let keys = Keys::new(&spec.root)?;
        let columns = columns
            .iter()
            .map(|c| Column::named(c, &keys))
            .collect::<Result<_, _>>()?;
        Ok(Checker {
            spec,
            keys,
            columns,
        })
    }

    /// The verdict on one line; `scratch` holds buffers the check may use.
    pub fn check(&self, line: &[u8], options: &Options, scratch: &mut Scratch) -> Verdict {
        let Some(tree) = tree::parse(line, self.spec.depth) else {
            return Verdict::Defer(Defer::Parse);
        };
        let mut ordered = true;
        if !schema::object(&self.spec, &self.spec.root, &tree, &mut ordered) {
            return Verdict::Defer(Defer::Schema);
        }
        let (k, post) = (&self.keys, Post::new(&tree, &self.keys));
        let (mut failed, undecided) = rules::failed(&post, &options.as_of);
        if undecided & options.select != 0 {
            return Verdict::Defer(Defer::Undecided(undecided & options.select));
        }
        let claimed = post.at(post.meta, k.hash).str().as_bytes();
        let mut at = None;
        let canonical = &mut scratch.canonical;
        if options.select & C014 != 0 || (options.rows && ordered) {
            canonical.clear();
            let zero = self.spec.zero_hash.as_bytes();
            canon::canonical_object(canonical, &self.spec.root, &tree, zero, &mut at);
            let digest = canon::hex_digest(canonical, zero.len());
            if options.select & C014 != 0 && digest != claimed {
                failed |= C014;
            }
        }
        if failed & options.select != 0 {
            return Verdict::Defer(Defer::Rules(failed & options.select));
        }
        let content = options.content.then(|| {
            let (title, intro) = (post.at(post.post, k.title), post.at(post.post, k.intro));
            canon::content_digest(
                &mut scratch.other,
                title,
                intro,
                post.at(post.post, k.sections),
            )
        });
        let rows = options.rows.then(|| {
            let doc = match (ordered, at) {
                // In schema order, the canonical bytes with the hash put back are orjson's bytes.
                (true, Some(at)) => {
                    canonical[at..at + claimed.len()].copy_from_slice(claimed);
                    text(canonical)
                }
                _ => {
                    canonical.clear();
                    canon::compact(canonical, &tree);
                    text(canonical)
                }
            };
            (
                rows::post_row(&post, &self.columns, &doc),
                rows::children(&post),
            )
        });
        let id = post.id();
        let copy = match (&rows, options.copy) {
            (Some((row, children)), true) => Some(rows::copy(id, row, children)),
            _ => None,
        };
        let similar = post.at(post.post, k.similar).items();
        Verdict::Accept(Box::new(Accepted {
            id: id.to_owned(),
            hash: post.at(post.meta, k.hash).str().to_owned(),
            similar: similar.iter().map(|s| s.str().to_owned()).collect(),
            failed,
            content,
            rows,
            copy,
        }))
    }
}

/// The canonical bytes as a string: they are the line's strings and JSON's ASCII punctuation, so
/// always UTF-8 (`from_utf8` checks it at memory speed, where the lossy reading walks chunks).
fn text(bytes: &[u8]) -> String {
    std::str::from_utf8(bytes).map_or_else(
        |_| String::from_utf8_lossy(bytes).into_owned(),
        str::to_owned,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_without_a_field_the_rules_read_is_refused() {
        let spec =
            br#"{"root": {"type": "object", "name": "Post", "fields": [["meta", {"type": "object",
            "name": "Meta", "fields": [["hash", {"type": "str"}]]}]]}, "zeroed": ["meta", "hash"],
            "zero_hash": "00"}"#;
        let err = Checker::new(spec, &[]).err().expect("refused");
        assert!(err.contains("Meta.ai_outline"), "{err}");
    }

    #[test]
    fn an_unknown_column_is_refused() {
        assert!(Column::named("nope", &dummy_keys()).is_err());
    }

    fn dummy_keys() -> Keys {
        let k = (0, "x");
        Keys {
            id: k,
            title: k,
            intro: k,
            images: k,
            sections: k,
            meta: k,
            similar: k,
            kind: k,
            paragraphs: k,
            items: k,
            topic: k,
            outline: k,
            stack: k,
            tools: k,
            code_language: k,
            difficulty: k,
            reading_time: k,
            view_count: k,
            score: k,
            revision: k,
            reference: k,
            hash: k,
            flags: k,
            checklist: k,
            entities: k,
            image_sources: k,
            payload: k,
            context: k,
            problem: k,
            outline_stack: k,
            quality: k,
            freshness: k,
            depth: k,
            clarity: k,
            status: k,
            version: k,
            last_reviewed: k,
            ai_generated_style: k,
            has_images: k,
            image_heavy: k,
            needs_human_review: k,
            source_id: k,
            paragraph_count: k,
            scenario: k,
            seed: k,
            caption: k,
            source: k,
            url: k,
            entity_name: k,
            entity_type: k,
        }
    }
}
