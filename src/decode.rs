//! Typed values straight from the spanned tree: a serde `Deserializer` over
//! [`Node`], so k8s-openapi types are filled without first copying the tree
//! into a `serde_json::Value`.
//!
//! It reads the tree the way Kubernetes' decoder does, and the way the JSON
//! copy used to: unquoted YAML 1.1 literals are decoded ([`Node::decoded`]),
//! the last of duplicate keys wins, a non-finite float reads as null. Fields
//! can be left out (`skip`): the loader retypes an object without the fields
//! it found to be of the wrong type.

use serde::de::{
    self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};

use crate::path::Seg;
use crate::yaml::{Node, Value};

pub type Error = de::value::Error;

/// One step from the root to the node being read: a linked list on the
/// stack, walked only when fields are skipped.
#[derive(Clone, Copy)]
struct Trail<'p> {
    parent: Option<&'p Trail<'p>>,
    seg: Step<'p>,
}

#[derive(Clone, Copy)]
enum Step<'p> {
    Root,
    Key(&'p str),
    Index(usize),
}

impl Trail<'_> {
    /// Whether this trail spells `segs` from the root.
    fn is(&self, segs: &[Seg]) -> bool {
        let mut cur = Some(self);
        let mut rest = segs;
        while let Some(t) = cur {
            match t.seg {
                Step::Root => return rest.is_empty(),
                step => {
                    let Some((last, before)) = rest.split_last() else {
                        return false;
                    };
                    let same = match (step, last) {
                        (Step::Key(k), Seg::Key(s)) => k == s,
                        (Step::Index(i), Seg::Index(j)) => i == *j,
                        _ => false,
                    };
                    if !same {
                        return false;
                    }
                    rest = before;
                }
            }
            cur = t.parent;
        }
        false
    }
}

/// What the whole read shares.
struct Shared<'s> {
    /// Fields to leave out, as paths from the root.
    skip: &'s [Vec<Seg>],
    /// The value read for the top-level `apiVersion` instead of the
    /// document's (k8s-openapi insists on its own).
    api_version: &'s str,
}

/// A deserializer for one node.
pub struct NodeDe<'n, 's, 'p> {
    node: &'n Node,
    shared: &'s Shared<'s>,
    trail: Trail<'p>,
}

/// Deserialize `T` from the tree `root`, reading `api_version` for its
/// top-level `apiVersion` and leaving out the fields at `skip`; errors carry
/// the path of the failing field.
pub fn typed<T: de::DeserializeOwned>(
    root: &Node,
    api_version: &str,
    skip: &[Vec<Seg>],
) -> Result<T, serde_path_to_error::Error<Error>> {
    let shared = Shared { skip, api_version };
    let de = NodeDe {
        node: root,
        shared: &shared,
        trail: Trail {
            parent: None,
            seg: Step::Root,
        },
    };
    serde_path_to_error::deserialize(de)
}

impl<'de, 'n: 'de, 's, 'p> Deserializer<'de> for NodeDe<'n, 's, 'p> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &*self.node.decoded() {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            // As serde_json numbers do: non-negative integers are unsigned.
            Value::Int(i) => match u64::try_from(*i) {
                Ok(u) => visitor.visit_u64(u),
                Err(_) => visitor.visit_i64(*i),
            },
            Value::Float(f) if f.is_finite() => visitor.visit_f64(*f),
            Value::Float(_) => visitor.visit_unit(),
            // Decoding only ever turns a string into a boolean or a number:
            // a decoded string is the node's own.
            Value::Str(s) => match &self.node.value {
                Value::Str(own) => visitor.visit_borrowed_str(own),
                _ => visitor.visit_str(s),
            },
            Value::Seq(_) => visitor.visit_seq(Items {
                items: self.node.items().iter().enumerate(),
                shared: self.shared,
                trail: &self.trail,
            }),
            Value::Map(_) => visitor.visit_map(Entries::new(self.node, self.shared, &self.trail)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &*self.node.decoded() {
            Value::Null => visitor.visit_none(),
            Value::Float(f) if !f.is_finite() => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match &self.node.value {
            Value::Str(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            _ => Err(de::Error::invalid_type(
                de::Unexpected::Other(self.node.type_name()),
                &"a string naming a variant",
            )),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

struct Items<'n, 's, 'p> {
    items: std::iter::Enumerate<std::slice::Iter<'n, Node>>,
    shared: &'s Shared<'s>,
    trail: &'p Trail<'p>,
}

impl<'de, 'n: 'de> SeqAccess<'de> for Items<'n, '_, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some((i, node)) = self.items.next() else {
            return Ok(None);
        };
        seed.deserialize(NodeDe {
            node,
            shared: self.shared,
            trail: Trail {
                parent: Some(self.trail),
                seg: Step::Index(i),
            },
        })
        .map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Entries<'n, 's, 'p> {
    node: &'n Node,
    next: usize,
    /// Entries a later duplicate key overrides (the last one wins).
    superseded: Vec<bool>,
    shared: &'s Shared<'s>,
    trail: &'p Trail<'p>,
    /// The value of the entry whose key was just read.
    value: Option<(&'n str, &'n Node)>,
}

impl<'n, 's, 'p> Entries<'n, 's, 'p> {
    fn new(node: &'n Node, shared: &'s Shared<'s>, trail: &'p Trail<'p>) -> Self {
        let entries = node.entries();
        let mut superseded = Vec::new();
        // Duplicate keys are rare: find them without hashing small maps.
        let dup = if entries.len() <= 32 {
            (1..entries.len()).any(|i| entries[..i].iter().any(|e| e.key == entries[i].key))
        } else {
            let mut seen = std::collections::HashSet::with_capacity(entries.len());
            !entries.iter().all(|e| seen.insert(e.key.as_str()))
        };
        if dup {
            let mut last = std::collections::HashMap::with_capacity(entries.len());
            for (i, e) in entries.iter().enumerate() {
                last.insert(e.key.as_str(), i);
            }
            superseded = entries
                .iter()
                .enumerate()
                .map(|(i, e)| last.get(e.key.as_str()) != Some(&i))
                .collect();
        }
        Entries {
            node,
            next: 0,
            superseded,
            shared,
            trail,
            value: None,
        }
    }

    fn skipped(&self, key: &str) -> bool {
        if self.shared.skip.is_empty() {
            return false;
        }
        let t = Trail {
            parent: Some(self.trail),
            seg: Step::Key(key),
        };
        self.shared.skip.iter().any(|s| t.is(s))
    }
}

impl<'de, 'n: 'de> MapAccess<'de> for Entries<'n, '_, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let entries = self.node.entries();
        while let Some(e) = entries.get(self.next) {
            let i = self.next;
            self.next += 1;
            if self.superseded.get(i).copied().unwrap_or(false) || self.skipped(&e.key) {
                continue;
            }
            self.value = Some((e.key.as_str(), &e.value));
            let key: de::value::BorrowedStrDeserializer<'de, Error> =
                de::value::BorrowedStrDeserializer::new(e.key.as_str());
            return seed.deserialize(key).map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let Some((key, node)) = self.value.take() else {
            return Err(de::Error::custom("a value without a key"));
        };
        let trail = Trail {
            parent: Some(self.trail),
            seg: Step::Key(key),
        };
        if self.trail.parent.is_none() && key == "apiVersion" {
            return seed.deserialize(self.shared.api_version.into_deserializer());
        }
        seed.deserialize(NodeDe {
            node,
            shared: self.shared,
            trail,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use k8s_openapi::api::core::v1::Service;

    fn doc(text: &str) -> Node {
        crate::yaml::parse_documents(&SourceFile::new("t.yaml", text))
            .unwrap()
            .remove(0)
    }

    #[test]
    fn reads_as_kubernetes_does() {
        // The last duplicate wins, unquoted `yes` is a boolean, the
        // apiVersion is k8s-openapi's own.
        let d = doc("apiVersion: v9\nkind: Service\nmetadata: {name: a, name: b}\nspec:\n  publishNotReadyAddresses: yes\n  ports: [{port: 1}]\n");
        let s: Service = typed(&d, "v1", &[]).unwrap();
        assert_eq!(s.metadata.name.as_deref(), Some("b"));
        let spec = s.spec.unwrap();
        assert_eq!(spec.publish_not_ready_addresses, Some(true));
        assert_eq!(spec.ports.unwrap()[0].port, 1);
    }

    #[test]
    fn errors_carry_the_path_and_skipped_fields_are_left_out() {
        let d = doc("apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  ports: [{port: x}]\n  type: ClusterIP\n");
        let e = typed::<Service>(&d, "v1", &[]).unwrap_err();
        assert_eq!(e.path().to_string(), "spec.ports[0].port");
        let skip = vec![vec![Seg::Key("spec".into()), Seg::Key("ports".into())]];
        let s: Service = typed(&d, "v1", &skip).unwrap();
        let spec = s.spec.unwrap();
        assert!(spec.ports.is_none());
        assert_eq!(spec.type_.as_deref(), Some("ClusterIP"));
    }
}
