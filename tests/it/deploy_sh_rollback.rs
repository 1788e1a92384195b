//! Roll back, then forward again, with every real part: envguard's hook on
//! the client, the simulated Kudu running `hooks/deploy.sh`, a real venv and
//! pip. The token the env records is the one the deployed commit carries: a
//! commit without a marker forgets it, so the marker that comes back with
//! the next push cleans again (docs/deploy-sh.md, "The marker").

use crate::kudu;

use kudu::{names, Kudu};

const REBUILT: &str = "is new: deleting the virtual environment";

#[test]
fn a_marker_that_comes_back_after_a_rollback_cleans_again() {
    let mut kudu = Kudu::new();
    let installed = kudu.envguard(&["install"]);
    assert!(installed.status.success(), "{installed:?}");
    // Only the marker may clean: the leftovers check would rebuild too.
    kudu.app_setting("ENVGUARD_ON_LEFTOVERS", "warn");

    kudu.write("requirements.txt", "alpha\nbravo\n");
    kudu.deploy("A: alpha and bravo");
    let a = kudu.head();

    // B removes bravo: the hook commits a marker, the second push cleans.
    kudu.write("requirements.txt", "alpha\n");
    kudu.commit("B: drop bravo");
    let refused = kudu.push_head().expect_err("the hook commits a marker");
    assert!(refused.contains("removes bravo"), "{refused}");
    let b = kudu.push_head().expect("the marker passes");
    assert!(b.success && b.log.contains(REBUILT), "{}", b.log);
    assert_eq!(names(&kudu.packages()), ["alpha"]);
    let b_marked = kudu.head();
    let marker_token = kudu.env_token().expect("the marker is recorded");

    // Roll back to A: bravo comes back, and the env forgets the marker.
    kudu.git(&kudu.work, &["reset", "-q", "--hard", &a]);
    let back = kudu.force_push_head().expect("a rollback adds bravo");
    assert!(back.success, "{}", back.log);
    assert_eq!(names(&kudu.packages()), ["alpha", "bravo"]);

    // Forward to B again: its marker cleans once more, and bravo is gone.
    kudu.git(&kudu.work, &["reset", "-q", "--hard", &b_marked]);
    let forward = kudu
        .push_head()
        .expect("the hook lets B through: it carries a marker");
    assert!(forward.success, "{}", forward.log);
    assert_eq!(names(&kudu.packages()), ["alpha"], "bravo must be gone");
    assert!(forward.log.contains(REBUILT), "{}", forward.log);
    assert_eq!(kudu.env_token(), Some(marker_token));
    assert!(
        back.log
            .contains("this commit carries no marker: forgetting the one recorded"),
        "{}",
        back.log
    );
}
