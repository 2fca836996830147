//! A valid post as the importer's rows (`synth.load.rows.post_rows`): the `posts` row in the
//! column order Python hands over (`synth.load.rows.COLUMNS`), and the child rows of tools,
//! entities and links; also in PostgreSQL's COPY text format.

use super::rules::{Key, Post};
use super::tree::Value;

/// One cell of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i128),
    Bool(bool),
    Null,
}

/// Where a column of the `posts` row comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Column {
    Id,
    Number,
    Text(Key),
    Meta(Key),
    Outline(Key),
    Score(Key),
    Revision(Key),
    Flag(Key),
    Body,
    Area,
    Doc,
}

impl Column {
    /// The column called `name` in `synth.load.rows.COLUMNS`.
    pub fn named(name: &str, k: &super::rules::Keys) -> Result<Column, String> {
        Ok(match name {
            "id" => Column::Id,
            "number" => Column::Number,
            "title" => Column::Text(k.title),
            "intro" => Column::Text(k.intro),
            "body" => Column::Body,
            "topic" => Column::Meta(k.topic),
            "problem" => Column::Outline(k.problem),
            "stack" => Column::Outline(k.outline_stack),
            "area" => Column::Area,
            "code_language" => Column::Meta(k.code_language),
            "difficulty" => Column::Meta(k.difficulty),
            "reading_time" => Column::Meta(k.reading_time),
            "view_count" => Column::Meta(k.view_count),
            "quality" => Column::Score(k.quality),
            "freshness" => Column::Score(k.freshness),
            "depth" => Column::Score(k.depth),
            "clarity" => Column::Score(k.clarity),
            "status" => Column::Revision(k.status),
            "version" => Column::Revision(k.version),
            "last_reviewed" => Column::Revision(k.last_reviewed),
            "reference" => Column::Meta(k.reference),
            "content_hash" => Column::Meta(k.hash),
            "ai_generated_style" => Column::Flag(k.ai_generated_style),
            "has_images" => Column::Flag(k.has_images),
            "image_heavy" => Column::Flag(k.image_heavy),
            "needs_human_review" => Column::Flag(k.needs_human_review),
            "doc" => Column::Doc,
            other => return Err(format!("no column {other:?} in the native rows")),
        })
    }
}

fn cell(v: &Value<'_>) -> Cell {
    match v {
        Value::Str(s) => Cell::Text(s.to_string()),
        Value::Int(n) => Cell::Int(*n),
        Value::Bool(b) => Cell::Bool(*b),
        _ => Cell::Null,
    }
}

/// The searchable text: every paragraph and checklist item, one a line.
fn body(p: &Post<'_, '_>) -> String {
    let k = p.k;
    let mut out = String::new();
    let mut first = true;
    for section in p.at(p.post, k.sections).items() {
        let texts = match section.get(k.paragraphs.0, k.paragraphs.1) {
            Value::Array(items) => items,
            _ => section.get(k.items.0, k.items.1).items(),
        };
        for text in texts {
            if !first {
                out.push('\n');
            }
            first = false;
            out.push_str(text.str());
        }
    }
    out
}

/// The `posts` row: one cell for each of `columns`; `doc` is the post's JSON.
pub fn post_row(p: &Post<'_, '_>, columns: &[Column], doc: &str) -> Vec<Cell> {
    let k = p.k;
    let meta = p.meta;
    columns
        .iter()
        .map(|column| match *column {
            Column::Id => Cell::Text(p.id().to_owned()),
            Column::Number => cell(p.at(p.payload, k.seed)),
            Column::Text(key) => cell(p.at(p.post, key)),
            Column::Meta(key) => cell(p.at(meta, key)),
            Column::Outline(key) => cell(p.at(p.outline, key)),
            Column::Score(key) => cell(p.at(p.at(meta, k.score), key)),
            Column::Revision(key) => cell(p.at(p.at(meta, k.revision), key)),
            Column::Flag(key) => cell(p.at(p.at(meta, k.flags), key)),
            Column::Body => Cell::Text(body(p)),
            Column::Area => p.at(meta, k.stack).items().get(1).map_or(Cell::Null, cell),
            Column::Doc => Cell::Text(doc.to_owned()),
        })
        .collect()
}

/// The child rows without the post id: tools (position, tool), entities (position, name, type),
/// links (position, target).
pub struct Children {
    pub tools: Vec<String>,
    pub entities: Vec<(String, String)>,
    pub links: Vec<String>,
}

fn strings(items: &[Value<'_>]) -> Vec<String> {
    items.iter().map(|v| v.str().to_owned()).collect()
}

pub fn children(p: &Post<'_, '_>) -> Children {
    let k = p.k;
    let entity = |e: &Value<'_>| {
        let name = p.at(e, k.entity_name).str().to_owned();
        (name, p.at(e, k.entity_type).str().to_owned())
    };
    Children {
        tools: strings(p.at(p.meta, k.tools).items()),
        entities: p
            .at(p.meta, k.entities)
            .items()
            .iter()
            .map(entity)
            .collect(),
        links: strings(p.at(p.post, k.similar).items()),
    }
}

/// Appends `text` escaped for COPY's text format as psycopg writes it.
fn copy_text(out: &mut Vec<u8>, text: &str) {
    for &b in text.as_bytes() {
        match b {
            0x08 => out.extend_from_slice(b"\\b"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            0x0b => out.extend_from_slice(b"\\v"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\\' => out.extend_from_slice(b"\\\\"),
            _ => out.push(b),
        }
    }
}

fn copy_cell(out: &mut Vec<u8>, cell: &Cell) {
    match cell {
        Cell::Text(s) => copy_text(out, s),
        Cell::Int(n) => crate::json::int(out, *n),
        Cell::Bool(b) => out.push(if *b { b't' } else { b'f' }),
        Cell::Null => out.extend_from_slice(b"\\N"),
    }
}

/// Rows in COPY's text format: cells separated by tabs, each row ending in a newline.
pub fn copy_rows<'c>(out: &mut Vec<u8>, rows: impl IntoIterator<Item = &'c [Cell]>) {
    for row in rows {
        for (k, cell) in row.iter().enumerate() {
            if k > 0 {
                out.push(b'\t');
            }
            copy_cell(out, cell);
        }
        out.push(b'\n');
    }
}

/// One child row in COPY's text format: the post id, the position, then `texts`.
fn copy_child(out: &mut Vec<u8>, id: &str, position: usize, texts: &[&str]) {
    copy_text(out, id);
    out.push(b'\t');
    crate::json::int(out, position);
    for text in texts {
        out.push(b'\t');
        copy_text(out, text);
    }
    out.push(b'\n');
}

/// The COPY text of a post's rows: posts, tools, entities, links.
pub fn copy(id: &str, row: &[Cell], children: &Children) -> [Vec<u8>; 4] {
    let mut posts = Vec::new();
    copy_rows(&mut posts, [row]);
    let (mut tools, mut entities, mut links) = (Vec::new(), Vec::new(), Vec::new());
    for (k, tool) in children.tools.iter().enumerate() {
        copy_child(&mut tools, id, k, &[tool]);
    }
    for (k, (name, kind)) in children.entities.iter().enumerate() {
        copy_child(&mut entities, id, k, &[name, kind]);
    }
    for (k, target) in children.links.iter().enumerate() {
        copy_child(&mut links, id, k, &[target]);
    }
    [posts, tools, entities, links]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_escapes_as_psycopg() {
        let mut out = Vec::new();
        let row = [
            Cell::Text("a\tb\\c\nd\re\u{8}\u{b}\u{c}é".into()),
            Cell::Int(-3),
            Cell::Bool(true),
            Cell::Bool(false),
            Cell::Null,
        ];
        copy_rows(&mut out, [&row[..]]);
        assert_eq!(out, b"a\\tb\\\\c\\nd\\re\\b\\v\\f\xc3\xa9\t-3\tt\tf\t\\N\n");
    }
}
