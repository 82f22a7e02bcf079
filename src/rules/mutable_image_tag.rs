//! `mutable-image-tag` — documented in rules/mutable-image-tag.md

use crate::manifest::Object;
use crate::rule::{Rule, Sink};

pub struct MutableImageTag;

/// The tag of an image reference, if any (`None` for a digest reference).
pub fn tag(image: &str) -> Option<Option<&str>> {
    if image.contains('@') {
        return None; // pinned by digest
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    Some(last.split_once(':').map(|(_, t)| t))
}

impl Rule for MutableImageTag {
    fn check<'a>(&self, obj: &'a Object, out: &mut Sink<'a>) {
        let Some(pod) = obj.pod() else { return };
        for c in pod.containers(true) {
            let Some(image) = c.container.image.as_deref().filter(|i| !i.is_empty()) else { continue };
            let problem = match tag(image) {
                None => continue,
                Some(None) => "has no tag, so it means `:latest`",
                Some(Some("latest")) => "uses the `:latest` tag",
                Some(Some(_)) => continue,
            };
            out.report(
                format!("{}.image", c.path),
                format!(
                    "image `{image}` of container `{}` {problem}: each pull (a restart, a new node) can run a different version, and a rollback cannot go back",
                    c.container.name
                ),
            )
            .on_value()
            .label("mutable tag")
            .help("pin a version tag (`postgres:16.4`) or, better, a digest (`postgres@sha256:…`)");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::tag;

    #[test]
    fn tags() {
        assert_eq!(tag("nginx"), Some(None));
        assert_eq!(tag("nginx:latest"), Some(Some("latest")));
        assert_eq!(tag("registry:5000/team/app"), Some(None));
        assert_eq!(tag("registry:5000/team/app:1.2"), Some(Some("1.2")));
        assert_eq!(tag("app@sha256:abc"), None);
        assert_eq!(tag("app:1.2@sha256:abc"), None);
    }
}
