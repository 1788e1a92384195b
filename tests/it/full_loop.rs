//! The whole loop with every real part: envguard's hook on the client, a
//! bare remote that plays Kudu and runs `hooks/deploy.sh`, a real venv and
//! real pip. What the server has is read from the env's own `pip list`.

use crate::kudu;

use kudu::{names, Kudu};

#[test]
fn a_removal_is_stopped_marked_pushed_again_and_cleaned_once_on_the_server() {
    let kudu = Kudu::new();
    let installed = kudu.envguard(&["install"]);
    assert!(
        installed.status.success(),
        "{}",
        String::from_utf8_lossy(&installed.stderr)
    );
    kudu.write("app.py", "print('hello')\n");
    kudu.write("requirements.txt", "alpha\nbravo\n");
    kudu.deploy("first deployment");
    assert_eq!(names(&kudu.packages()), ["alpha", "bravo"]);

    kudu.write("requirements.txt", "alpha\nbravo\ncharlie\n");
    let planted = kudu.plant();
    kudu.deploy("add charlie");
    assert!(planted.exists(), "an addition reuses the env");
    assert_eq!(names(&kudu.packages()), ["alpha", "bravo", "charlie"]);

    // The hook stops the removal and commits a marker on the branch.
    kudu.write("requirements.txt", "alpha\ncharlie\n");
    kudu.commit("drop bravo");
    let refused = kudu.push_head().expect_err("the hook must stop the push");
    assert!(refused.contains("removes bravo"), "{refused}");
    assert!(refused.contains("git push azure main:master"), "{refused}");
    assert_eq!(
        names(&kudu.packages()),
        ["alpha", "bravo", "charlie"],
        "nothing deployed"
    );
    let marker = std::fs::read_to_string(kudu.work.join(".envguard/force-clean")).unwrap();

    // Pushing again deploys the marker: bravo is gone, the env was rebuilt.
    let clean = kudu.push_head().expect("the second push passes");
    assert!(clean.success, "{}", clean.log);
    assert_eq!(names(&kudu.packages()), ["alpha", "charlie"]);
    assert!(!planted.exists(), "the env was rebuilt");
    assert_eq!(kudu.env_token().as_deref(), Some(marker.trim()));

    // The next deployment does not rebuild again.
    let planted = kudu.plant();
    kudu.write("app.py", "print('hello again')\n");
    kudu.deploy("code only");
    assert!(planted.exists(), "a marker is honoured once");
}
