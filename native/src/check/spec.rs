//! The schema as Python hands it over (`synth.schema.spec`, derived from the pydantic model):
//! JSON text, read with the tree parser and turned into [`Type`]s. Nothing of the model is
//! written down here: field names and order, bounds, lengths, patterns and closed sets all
//! come from the spec.
//!
//! ```text
//! {"root": T, "zeroed": ["meta", "hash"], "zero_hash": "000..."}
//! T = {"type": "object", "name": N, "fields": [[name, T], ...]}        every field required
//!   | {"type": "str", "min_length": n, "max_length": n|null, "pattern": p|null, "date": bool}
//!   | {"type": "int", "ge": n|null, "le": n|null, "choices": [n, ...]|null}
//!   | {"type": "bool"} | {"type": "literal", "choices": [s, ...]}
//!   | {"type": "list", "items": T, "min_length": n, "max_length": n|null, "unique": bool}
//!   | {"type": "union", "tag": key, "choices": [[s, T], ...]}             T: objects
//! ```

use super::pattern::Pattern;
use super::tree::{parse, Value};

#[derive(Debug)]
pub enum Type {
    Str(Str),
    Int(Box<Int>),
    Bool,
    Literal(Vec<String>),
    List(Box<List>),
    Object(Box<Object>),
    Union(Box<Union>),
}

#[derive(Debug)]
pub struct Str {
    pub min: usize,
    pub max: usize,
    /// Index into [`Spec::patterns`].
    pub pattern: Option<usize>,
    /// A calendar date (`YYYY-MM-DD`, as `datetime.date.fromisoformat` takes it).
    pub date: bool,
}

#[derive(Debug)]
pub struct Int {
    pub ge: i128,
    pub le: i128,
    pub choices: Option<Vec<i128>>,
}

#[derive(Debug)]
pub struct List {
    pub item: Type,
    pub min: usize,
    pub max: usize,
    pub unique: bool,
}

#[derive(Debug)]
pub struct Object {
    pub name: String,
    pub fields: Vec<Field>,
}

#[derive(Debug)]
pub struct Field {
    pub name: String,
    /// `"name":`, the key as compact JSON writes it, and the comma before it unless it is first.
    pub key: Box<[u8]>,
    pub ty: Type,
    /// The content hash: zeroed in the bytes it is the digest of.
    pub zeroed: bool,
}

#[derive(Debug)]
pub struct Union {
    pub tag: String,
    pub choices: Vec<(String, Object)>,
}

/// Objects have at most this many fields (the validator marks the fields seen in a u64).
pub const MAX_FIELDS: usize = 64;

#[derive(Debug)]
pub struct Spec {
    pub root: Object,
    pub patterns: Vec<Pattern>,
    pub zero_hash: String,
    /// The deepest nesting of containers a valid post can have.
    pub depth: u32,
}

type Result<T> = std::result::Result<T, String>;

fn field<'v, 'a>(v: &'v Value<'a>, key: &str) -> Result<&'v Value<'a>> {
    match v.get(0, key) {
        Value::Null => Err(format!("no {key:?}")),
        found => Ok(found),
    }
}

fn text(v: &Value<'_>, key: &str) -> Result<String> {
    match field(v, key)? {
        Value::Str(s) => Ok(s.to_string()),
        _ => Err(format!("{key:?} is not a string")),
    }
}

fn optional(v: &Value<'_>, key: &str) -> Option<i128> {
    match v.get(0, key) {
        Value::Int(n) => Some(*n),
        _ => None,
    }
}

fn size(v: &Value<'_>, key: &str, default: usize) -> Result<usize> {
    optional(v, key).map_or(Ok(default), |n| {
        usize::try_from(n).map_err(|_| format!("{key:?} {n} is out of range"))
    })
}

struct Reader {
    patterns: Vec<(String, Pattern)>,
}

impl Reader {
    fn pattern(&mut self, source: &str) -> Result<usize> {
        if let Some(at) = self.patterns.iter().position(|(s, _)| s == source) {
            return Ok(at);
        }
        let pattern = Pattern::new(source)?;
        self.patterns.push((source.to_owned(), pattern));
        Ok(self.patterns.len() - 1)
    }

    fn object(&mut self, v: &Value<'_>) -> Result<Object> {
        if text(v, "type")? != "object" {
            return Err("a union choice must be an object".into());
        }
        let name = text(v, "name")?;
        let mut fields = Vec::new();
        for pair in field(v, "fields")?.items() {
            let [Value::Str(key), ty] = pair.items() else {
                return Err(format!("{name}: a field must be [name, type]"));
            };
            let ty = self.ty(ty).map_err(|e| format!("{name}.{key}: {e}"))?;
            let mut json = Vec::from(if fields.is_empty() { "\"" } else { ",\"" }.as_bytes());
            crate::json::escape_into(&mut json, key);
            json.extend_from_slice(b"\":");
            fields.push(Field {
                name: key.to_string(),
                key: json.into_boxed_slice(),
                ty,
                zeroed: false,
            });
        }
        if fields.len() > MAX_FIELDS {
            return Err(format!("{name}: more than {MAX_FIELDS} fields"));
        }
        Ok(Object { name, fields })
    }

    fn ty(&mut self, v: &Value<'_>) -> Result<Type> {
        Ok(match text(v, "type")?.as_str() {
            "str" => Type::Str(Str {
                min: size(v, "min_length", 0)?,
                max: size(v, "max_length", usize::MAX)?,
                pattern: match v.get(0, "pattern") {
                    Value::Str(p) => Some(self.pattern(p)?),
                    _ => None,
                },
                date: v.get(0, "date").boolean(),
            }),
            "int" => Type::Int(Box::new(Int {
                ge: optional(v, "ge").unwrap_or(i128::MIN),
                le: optional(v, "le").unwrap_or(i128::MAX),
                choices: match v.get(0, "choices") {
                    Value::Array(items) => Some(items.iter().map(Value::int).collect()),
                    _ => None,
                },
            })),
            "bool" => Type::Bool,
            "literal" => Type::Literal(
                field(v, "choices")?
                    .items()
                    .iter()
                    .map(|c| c.str().to_owned())
                    .collect(),
            ),
            "list" => Type::List(Box::new(List {
                item: self.ty(field(v, "items")?)?,
                min: size(v, "min_length", 0)?,
                max: size(v, "max_length", usize::MAX)?,
                unique: v.get(0, "unique").boolean(),
            })),
            "object" => Type::Object(Box::new(self.object(v)?)),
            "union" => {
                let mut choices = Vec::new();
                for pair in field(v, "choices")?.items() {
                    let [Value::Str(tag), object] = pair.items() else {
                        return Err("a union choice must be [tag, object]".into());
                    };
                    choices.push((tag.to_string(), self.object(object)?));
                }
                Type::Union(Box::new(Union {
                    tag: text(v, "tag")?,
                    choices,
                }))
            }
            other => return Err(format!("unknown type {other:?}")),
        })
    }
}

fn depth(ty: &Type) -> u32 {
    match ty {
        Type::List(list) => 1 + depth(&list.item),
        Type::Object(object) => object_depth(object),
        Type::Union(union) => union
            .choices
            .iter()
            .map(|(_, o)| object_depth(o))
            .max()
            .unwrap_or(1),
        _ => 0,
    }
}

fn object_depth(object: &Object) -> u32 {
    1 + object
        .fields
        .iter()
        .map(|f| depth(&f.ty))
        .max()
        .unwrap_or(0)
}

/// Marks the field at `path` (object names, from the root) as the zeroed content hash.
fn mark_zeroed(root: &mut Object, path: &[String]) -> Result<()> {
    let mut object = root;
    for (k, name) in path.iter().enumerate() {
        let field = object
            .fields
            .iter_mut()
            .find(|f| &f.name == name)
            .ok_or_else(|| format!("zeroed: no field {name:?}"))?;
        if k + 1 == path.len() {
            field.zeroed = true;
            return Ok(());
        }
        object = match &mut field.ty {
            Type::Object(inner) => inner,
            _ => return Err(format!("zeroed: {name:?} is not an object")),
        };
    }
    Err("zeroed: empty path".into())
}

impl Spec {
    pub fn from_json(data: &[u8]) -> Result<Spec> {
        let v = parse(data, 256).ok_or("the spec is not JSON")?;
        let mut reader = Reader {
            patterns: Vec::new(),
        };
        let mut root = reader.object(field(&v, "root")?)?;
        let path: Vec<String> = field(&v, "zeroed")?
            .items()
            .iter()
            .map(|p| p.str().to_owned())
            .collect();
        mark_zeroed(&mut root, &path)?;
        Ok(Spec {
            depth: object_depth(&root),
            root,
            patterns: reader.patterns.into_iter().map(|(_, r)| r).collect(),
            zero_hash: text(&v, "zero_hash")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r#"{"root": {"type": "object", "name": "P", "fields": [
        ["a", {"type": "str", "min_length": 1, "max_length": 3, "pattern": "^x", "date": false}],
        ["m", {"type": "object", "name": "M", "fields": [["h", {"type": "str"}]]}],
        ["l", {"type": "list", "items": {"type": "int", "ge": 0, "le": 9}, "unique": true}]]},
        "zeroed": ["m", "h"], "zero_hash": "00"}"#;

    #[test]
    fn reads_a_spec() {
        let spec = Spec::from_json(SPEC.as_bytes()).unwrap();
        assert_eq!(spec.depth, 2);
        assert_eq!(spec.patterns.len(), 1);
        let Type::Object(m) = &spec.root.fields[1].ty else {
            panic!("m is an object")
        };
        assert!(m.fields[0].zeroed);
    }

    #[test]
    fn refuses_unknown_types_and_bad_patterns() {
        let bad = SPEC
            .replace(r#""type": "bool""#, "")
            .replace(r#""type": "int""#, r#""type": "float""#);
        assert!(Spec::from_json(bad.as_bytes())
            .unwrap_err()
            .contains("float"));
        let bad = SPEC.replace("^x", "(");
        assert!(Spec::from_json(bad.as_bytes())
            .unwrap_err()
            .contains("pattern"));
        let bad = SPEC.replace(r#"["m", "h"]"#, r#"["m", "z"]"#);
        assert!(Spec::from_json(bad.as_bytes()).is_err());
    }
}
