//! Layer C: the consistency rules of `synth.validate.rules` (C001-C018) on a schema-valid tree.
//!
//! Each rule says only whether it holds (bit `n - 1` of the mask is rule `Cn`); the messages and
//! paths of the findings are the Python path's. The rules name fields, which are looked up
//! in the spec when the checker is built: a field the rules need and the model lacks is an
//! error then, not a wrong verdict later. C014 (the content hash) is in `canon`.

use super::spec::{Object, Type};
use super::text::contains;
use super::tree::Value;

/// A field: its place in schema order (where it is looked for first) and its name.
pub type Key = (usize, &'static str);

/// The bit of rule `Cn`.
pub const fn bit(n: u32) -> u32 {
    1 << (n - 1)
}

pub const C014: u32 = bit(14);
pub const ALL: u32 = (1 << 18) - 1;

/// The fields the rules and the rows read, resolved against the spec.
#[derive(Debug, Clone, Copy)]
pub struct Keys {
    pub id: Key,
    pub title: Key,
    pub intro: Key,
    pub images: Key,
    pub sections: Key,
    pub meta: Key,
    pub similar: Key,
    pub kind: Key,
    pub paragraphs: Key,
    pub items: Key,
    pub topic: Key,
    pub outline: Key,
    pub stack: Key,
    pub tools: Key,
    pub code_language: Key,
    pub difficulty: Key,
    pub reading_time: Key,
    pub view_count: Key,
    pub score: Key,
    pub revision: Key,
    pub reference: Key,
    pub hash: Key,
    pub flags: Key,
    pub checklist: Key,
    pub entities: Key,
    pub image_sources: Key,
    pub payload: Key,
    pub context: Key,
    pub problem: Key,
    pub outline_stack: Key,
    pub quality: Key,
    pub freshness: Key,
    pub depth: Key,
    pub clarity: Key,
    pub status: Key,
    pub version: Key,
    pub last_reviewed: Key,
    pub ai_generated_style: Key,
    pub has_images: Key,
    pub image_heavy: Key,
    pub needs_human_review: Key,
    pub source_id: Key,
    pub paragraph_count: Key,
    pub scenario: Key,
    pub seed: Key,
    pub caption: Key,
    pub source: Key,
    pub url: Key,
    pub entity_name: Key,
    pub entity_type: Key,
}

type Result<T> = std::result::Result<T, String>;

fn key(object: &Object, name: &'static str) -> Result<Key> {
    object
        .fields
        .iter()
        .position(|f| f.name == name)
        .map(|slot| (slot, name))
        .ok_or_else(|| {
            format!(
                "the consistency rules need {}.{name}, which the spec lacks",
                object.name
            )
        })
}

fn nested<'s>(object: &'s Object, name: &'static str) -> Result<&'s Object> {
    let (slot, _) = key(object, name)?;
    let mut ty = &object.fields[slot].ty;
    if let Type::List(list) = ty {
        ty = &list.item;
    }
    match ty {
        Type::Object(inner) => Ok(inner),
        Type::Union(union) => union
            .choices
            .first()
            .map(|(_, o)| o)
            .ok_or_else(|| format!("{}.{name} is an empty union", object.name)),
        _ => Err(format!("{}.{name} does not hold objects", object.name)),
    }
}

/// A field of one of the sections (a union: looked up in the choice that has it).
fn section_key(post: &Object, name: &'static str) -> Result<Key> {
    let (slot, _) = key(post, "sections")?;
    if let Type::List(list) = &post.fields[slot].ty {
        if let Type::Union(union) = &list.item {
            if let Some(found) = union.choices.iter().find_map(|(_, o)| key(o, name).ok()) {
                return Ok(found);
            }
        }
    }
    Err(format!("no section of the spec has a field {name}"))
}

impl Keys {
    pub fn new(post: &Object) -> Result<Keys> {
        let meta = nested(post, "meta")?;
        let outline = nested(meta, "ai_outline")?;
        let (score, revision) = (nested(meta, "score")?, nested(meta, "revision")?);
        let (flags, payload) = (nested(meta, "flags")?, nested(meta, "payload")?);
        let (image, source, entity) = (
            nested(post, "images")?,
            nested(meta, "image_sources")?,
            nested(meta, "entities")?,
        );
        // An image block and an image source share the names of caption and source.
        let _ = (key(image, "caption")?, key(image, "source")?);
        Ok(Keys {
            id: key(post, "id")?,
            title: key(post, "title")?,
            intro: key(post, "intro")?,
            images: key(post, "images")?,
            sections: key(post, "sections")?,
            meta: key(post, "meta")?,
            similar: key(post, "similar_posts")?,
            kind: section_key(post, "kind")?,
            paragraphs: section_key(post, "paragraphs")?,
            items: section_key(post, "items")?,
            topic: key(meta, "topic")?,
            outline: key(meta, "ai_outline")?,
            stack: key(meta, "stack")?,
            tools: key(meta, "tools")?,
            code_language: key(meta, "code_language")?,
            difficulty: key(meta, "difficulty")?,
            reading_time: key(meta, "reading_time")?,
            view_count: key(meta, "view_count")?,
            score: key(meta, "score")?,
            revision: key(meta, "revision")?,
            reference: key(meta, "reference")?,
            hash: key(meta, "hash")?,
            flags: key(meta, "flags")?,
            checklist: key(meta, "checklist")?,
            entities: key(meta, "entities")?,
            image_sources: key(meta, "image_sources")?,
            payload: key(meta, "payload")?,
            context: key(outline, "context")?,
            problem: key(outline, "problem")?,
            outline_stack: key(outline, "stack")?,
            quality: key(score, "quality")?,
            freshness: key(score, "freshness")?,
            depth: key(score, "depth")?,
            clarity: key(score, "clarity")?,
            status: key(revision, "status")?,
            version: key(revision, "version")?,
            last_reviewed: key(revision, "last_reviewed")?,
            ai_generated_style: key(flags, "ai_generated_style")?,
            has_images: key(flags, "has_images")?,
            image_heavy: key(flags, "image_heavy")?,
            needs_human_review: key(flags, "needs_human_review")?,
            source_id: key(payload, "source_id")?,
            paragraph_count: key(payload, "paragraphs")?,
            scenario: key(payload, "scenario")?,
            seed: key(payload, "seed")?,
            caption: key(source, "caption")?,
            source: key(source, "source")?,
            url: key(source, "url")?,
            entity_name: key(entity, "name")?,
            entity_type: key(entity, "type")?,
        })
    }
}

/// A post's fields as the rules read them.
pub struct Post<'v, 'a> {
    pub post: &'v Value<'a>,
    pub meta: &'v Value<'a>,
    pub outline: &'v Value<'a>,
    pub payload: &'v Value<'a>,
    pub k: &'v Keys,
}

impl<'v, 'a> Post<'v, 'a> {
    pub fn new(post: &'v Value<'a>, k: &'v Keys) -> Self {
        let meta = post.get(k.meta.0, k.meta.1);
        Post {
            post,
            meta,
            outline: meta.get(k.outline.0, k.outline.1),
            payload: meta.get(k.payload.0, k.payload.1),
            k,
        }
    }

    pub fn id(&self) -> &'v str {
        self.post.get(self.k.id.0, self.k.id.1).str()
    }

    /// The post's number: the id without its `alphanode-` prefix (the pattern of the id holds).
    fn number(&self) -> &'v str {
        let id = self.id();
        id.strip_prefix("alphanode-").unwrap_or(id)
    }

    pub fn at(&self, v: &'v Value<'a>, key: Key) -> &'v Value<'a> {
        v.get(key.0, key.1)
    }

    pub fn image_sources(&self) -> &'v [Value<'a>] {
        self.at(self.meta, self.k.image_sources).items()
    }
}

/// Whether `marker` occurs in `url` not followed by a digit, as Python's `str.isdigit` says;
/// `None` when that depends on what it says of a character beyond ASCII (the digits of
/// every script, superscripts...): the Python path decides then.
fn carries(url: &str, marker: &str) -> Option<bool> {
    let (mut from, mut sure) = (0, true);
    while let Some(found) = url[from..].find(marker) {
        let end = from + found + marker.len();
        match url[end..].chars().next() {
            None => return Some(true),
            Some(c) if !c.is_ascii() => sure = false,
            Some(c) if !c.is_ascii_digit() => return Some(true),
            Some(_) => {}
        }
        from += found + 1;
    }
    sure.then_some(false)
}

/// Whether payload.seed is int(number): the number's digits without leading zeros.
fn seed_is_number(seed: i128, number: &str) -> bool {
    let digits = number.trim_start_matches('0');
    let digits = if digits.is_empty() && !number.is_empty() {
        "0"
    } else {
        digits
    };
    itoa::Buffer::new().format(seed) == digits
}

fn strings_equal(a: &[Value<'_>], b: &[Value<'_>]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same(y))
}

/// The failing rules among C001-C018 but C014, as a mask, and the rules it cannot decide.
pub fn failed(p: &Post<'_, '_>, as_of: &str) -> (u32, u32) {
    let k = p.k;
    let (meta, outline, payload) = (p.meta, p.outline, p.payload);
    let problem = p.at(outline, k.problem).str();
    let stack = p.at(outline, k.outline_stack).str();
    let scenario = p.at(payload, k.scenario).str();
    let sources = p.image_sources();
    let mut failed = 0;
    let mut check = |n: u32, holds: bool| {
        if !holds {
            failed |= bit(n);
        }
    };
    let topic = p.at(meta, k.topic).str();
    check(
        1,
        topic.len() == problem.len() + 3 + stack.len()
            && topic.starts_with(problem)
            && topic[problem.len()..].starts_with(" / ")
            && topic.ends_with(stack),
    );
    check(2, p.at(outline, k.context).str() == scenario);
    check(3, checklist(p));
    check(4, paragraphs(p));
    let flags = p.at(meta, k.flags);
    check(5, p.at(flags, k.has_images).boolean() != sources.is_empty());
    check(
        6,
        p.at(flags, k.image_heavy).boolean() == (sources.len() >= 3),
    );
    check(7, image_blocks(p));
    check(8, p.at(payload, k.source_id).str() == p.id());
    let number = p.number();
    let reference = p.at(meta, k.reference).str();
    check(
        9,
        reference
            .strip_prefix("anp-ref-")
            .and_then(|r| r.strip_prefix(number))
            .is_some_and(|r| r.starts_with('-')),
    );
    let marker = format!("anp-{number}");
    // Fails when one url fails; undecided when none fails and one is undecided.
    let mut c010 = Some(true);
    for source in sources {
        match carries(p.at(source, k.url).str(), &marker) {
            Some(false) => {
                c010 = Some(false);
                break;
            }
            None => c010 = None,
            Some(true) => {}
        }
    }
    check(10, c010.unwrap_or(true));
    check(11, seed_is_number(p.at(payload, k.seed).int(), number));
    check(12, stack_list(p));
    check(13, entities(p));
    let revision = p.at(meta, k.revision);
    check(
        15,
        p.at(revision, k.last_reviewed).str().as_bytes() <= as_of.as_bytes(),
    );
    let id = p.id();
    check(
        16,
        p.at(p.post, k.similar)
            .items()
            .iter()
            .all(|s| s.str() != id),
    );
    let (title, intro) = (p.at(p.post, k.title).str(), p.at(p.post, k.intro).str());
    check(
        17,
        contains(title, problem)
            && contains(title, stack)
            && contains(intro, problem)
            && contains(intro, stack)
            && contains(intro, scenario),
    );
    check(18, captions(p, problem, stack));
    (failed, if c010.is_none() { bit(10) } else { 0 })
}

fn sections<'v, 'a>(
    p: &Post<'v, 'a>,
    kind: &'static str,
) -> impl Iterator<Item = &'v Value<'a>> + use<'v, 'a> {
    let k = p.k;
    p.at(p.post, k.sections)
        .items()
        .iter()
        .filter(move |s| s.get(k.kind.0, k.kind.1).str() == kind)
}

fn checklist(p: &Post<'_, '_>) -> bool {
    let mut found = sections(p, "checklist");
    let (Some(only), None) = (found.next(), found.next()) else {
        return false;
    };
    strings_equal(
        p.at(p.meta, p.k.checklist).items(),
        p.at(only, p.k.items).items(),
    )
}

fn paragraphs(p: &Post<'_, '_>) -> bool {
    let count: usize = sections(p, "paragraphs")
        .map(|s| p.at(s, p.k.paragraphs).items().len())
        .sum();
    i128::try_from(count).is_ok_and(|c| c == p.at(p.payload, p.k.paragraph_count).int())
}

fn image_blocks(p: &Post<'_, '_>) -> bool {
    let (blocks, sources) = (p.at(p.post, p.k.images).items(), p.image_sources());
    let k = p.k;
    blocks.len() == sources.len()
        && blocks.iter().zip(sources).all(|(b, s)| {
            b.get(0, k.caption.1).str() == p.at(s, k.caption).str()
                && b.get(1, k.source.1).str() == p.at(s, k.source).str()
        })
}

fn stack_list(p: &Post<'_, '_>) -> bool {
    let stack = p.at(p.meta, p.k.stack).items();
    let language = p.at(p.meta, p.k.code_language).str();
    stack
        .first()
        .is_some_and(|first| first.str() == p.at(p.outline, p.k.outline_stack).str())
        && stack.iter().any(|s| s.str() == language)
}

fn entities(p: &Post<'_, '_>) -> bool {
    let k = p.k;
    let named = p.at(p.meta, k.entities).items();
    let has = |name: &str, kind: &str| {
        named
            .iter()
            .any(|e| p.at(e, k.entity_name).str() == name && p.at(e, k.entity_type).str() == kind)
    };
    let stack = p.at(p.meta, k.stack).items();
    has(p.at(p.outline, k.outline_stack).str(), "stack")
        && has(p.at(p.outline, k.problem).str(), "problem")
        && named.iter().any(|e| {
            p.at(e, k.entity_type).str() == "area"
                && stack
                    .iter()
                    .any(|s| s.str() == p.at(e, k.entity_name).str())
        })
}

fn captions(p: &Post<'_, '_>, problem: &str, stack: &str) -> bool {
    let mut want = String::new();
    p.image_sources().iter().enumerate().all(|(n, s)| {
        want.clear();
        want.push_str(problem);
        want.push_str(" with ");
        want.push_str(stack);
        want.push_str(" visual reference ");
        want.push_str(itoa::Buffer::new().format(n + 1));
        p.at(s, p.k.caption).str() == want
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_and_numbers() {
        assert!(seed_is_number(7, "000007"));
        assert!(seed_is_number(0, "000000"));
        assert!(seed_is_number(1_234_567, "1234567"));
        assert!(!seed_is_number(7, "000070"));
        assert!(!seed_is_number(
            1,
            "99999999999999999999999999999999999999999"
        ));
    }

    #[test]
    fn urls_carry_the_number_not_followed_by_a_digit() {
        let m = "anp-000007";
        assert_eq!(carries("https://h.io/anp-000007", m), Some(true));
        assert_eq!(carries("https://h.io/anp-000007/x", m), Some(true));
        assert_eq!(
            carries("https://h.io/anp-0000071/anp-000007-", m),
            Some(true)
        );
        assert_eq!(carries("https://h.io/anp-0000071", m), Some(false));
        assert_eq!(carries("https://h.io/anp-00000", m), Some(false));
        assert_eq!(carries("https://h.io/anp-000007\u{b2}", m), None);
        assert_eq!(
            carries("https://h.io/anp-000007\u{b2}/anp-000007", m),
            Some(true)
        );
    }
}
