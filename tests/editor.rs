//! The editor's path: a buffer on standard input, named after its file, is
//! linted in its real context (the rest of its directory), replacing the
//! stale copy on disk.

use crate::support::{run_in, stdout, stslint_in, tempdir, write_file};

const STS: &str = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  serviceName: db\n  replicas: 3\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec: {containers: [{name: db, image: postgres}]}\n";
const SVC: &str = "apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec:\n  clusterIP: None\n  selector: {app: db}\n  ports: [{port: 5432, name: pg}]\n";
const SELECT: &str =
    "--select=duplicate-object,mutable-image-tag,missing-headless-service,missing-pdb";

#[test]
fn a_buffer_named_after_a_linted_file_replaces_it() {
    let dir = tempdir("editor-buffer");
    write_file(&dir, "deploy/db.yaml", STS);
    write_file(&dir, "deploy/svc.yaml", SVC);
    // On disk: the mutable tag. In the buffer: fixed, and a line added above.
    let buffer = format!(
        "# edited\n{}",
        STS.replace("image: postgres}", "image: \"postgres:16\"}")
    );
    for name in ["deploy/db.yaml", "./deploy/../deploy/db.yaml"] {
        let o = stslint_in(
            &dir,
            &[
                SELECT,
                "--format",
                "compact",
                "-q",
                "--stdin-filename",
                name,
                "-",
                "deploy/",
            ],
            Some(&buffer),
        );
        assert_eq!(o.status.code(), Some(1));
        // The buffer's positions (one line lower), no duplicate object, no
        // stale finding from the disk copy, the Service beside it seen.
        assert_eq!(
            stdout(&o),
            format!("{name}:8:13: warning[missing-pdb] StatefulSet `db` runs 3 replicas and no PodDisruptionBudget in the same namespace selects its pods: a node drain may evict them all at once\n")
        );
    }
    // The file on disk alone still has its finding.
    let o = run_in(&dir, &[SELECT, "--format", "compact", "-q", "deploy/"]);
    assert!(
        stdout(&o).contains("deploy/db.yaml:11:43: warning[mutable-image-tag]"),
        "{}",
        stdout(&o)
    );
}
