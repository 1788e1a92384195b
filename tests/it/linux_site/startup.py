# The app container's start, for tests/it/linux_site: Oryx's startup-script
# generator for Python (`oryx create-script`, a Go program) modelled line by
# line from microsoft/Oryx src/startupscriptgenerator/src/python/main.go and
# scriptgenerator.go, and common/buildManifestHelper.go,
# compressionHelper.go, fsvalidation.go. Like the real one it reads the
# manifest, unpacks a compressed output while it writes the script, and
# writes a /bin/sh script (`-output`) for init_container.sh to exec.
#
# Paths: the flags and the manifest name paths as the app container sees
# them. /home is the volume it shares with the Kudu container (argv[1] on
# this machine); every other path is the container's own disk (argv[2]).
#
# What this model leaves out says so: exit 3 and "harness: ...", never a
# silent guess.
import os
import re
import subprocess
import sys
import tarfile

HOME_ON_HOST, ROOT_ON_HOST = sys.argv[1:3]


def host(path):
    """A path of the app container, on this machine."""
    if path == "/home" or path.startswith("/home/"):
        return HOME_ON_HOST + path[len("/home"):]
    return ROOT_ON_HOST + path


def cannot(what):
    print("harness: " + what, file=sys.stderr)
    sys.exit(3)


def panic(message):
    # A Go panic: the message on stderr, exit status 2.
    print("panic: " + message, file=sys.stderr)
    sys.exit(2)


def fatal(message):
    # log.Fatal and os.Exit(consts.FAILURE_EXIT_CODE): exit status 1.
    print(message)
    sys.exit(1)


# main.go: the create-script flags. App Service passes exactly these
# (ImageBuilder GenerateDockerFiles/python/template-3.10/init_container.sh
# line 34); -userStartupCommand (an app command line) and -debugAdapter
# (remote debugging) are not modelled.
args = sys.argv[3:]
if args[:1] != ["create-script"] or len(args) % 2 != 1:
    cannot("only `create-script -flag value ...` is modelled: %r" % args)
flags = dict(zip(args[1::2], args[2::2]))
unknown = set(flags) - {"-appPath", "-output", "-virtualEnvName", "-defaultApp"}
if unknown:
    cannot("flags not modelled: %s" % sorted(unknown))
app_path = host(flags["-appPath"])
flag_venv = flags.get("-virtualEnvName", "")
flag_packagedir = ""  # -packagedir: App Service passes none

# Settings the generator reads from the environment (common/configuration.go
# GetViperConfiguration, consts ENABLE_DYNAMIC_INSTALL and PRE_RUN_COMMAND)
# and from wwwroot/build.env or appsvc.yaml: not modelled.
for name in ("ENABLE_DYNAMIC_INSTALL", "PRE_RUN_COMMAND"):
    if os.environ.get(name):
        cannot(name + " is not modelled")
for name in ("build.env", "appsvc.yaml"):
    if os.path.exists(os.path.join(app_path, name)):
        cannot(name + " in the app folder is not modelled")

# common/buildManifestHelper.go: the BuildManifest fields. The manifest is
# decoded with BurntSushi/toml, which matches a key to a field by its exact
# name, else case-insensitively (decode.go, unifyStruct); keys of no field
# are ignored. Only `key = "value"` lines (what Oryx's build writes,
# BaseBashBuildScript.sh.tpl, and deploy.sh) are read here.
FIELDS = (
    "StartupFileName",
    "OperationID",
    "VirtualEnvName",
    "PackageDir",
    "CompressedVirtualEnvFile",
    "StartupDllFileName",
    "InjectedAppInsights",
    "CompressedNodeModulesFile",
    "DotNetCoreSdkVersion",
    "DotNetCoreRuntimeVersion",
    "NodeVersion",
    "PythonVersion",
    "RubyVersion",
    "GolangVersion",
    "SourceDirectoryInBuildContainer",
    "CompressDestinationDir",
)


def read_manifest(path):
    values, keys, fields_set = {}, set(), {}
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        cannot("%s is not UTF-8" % path)
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip(" \t")
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r'([A-Za-z0-9_-]+)[ \t]*=[ \t]*"([^"\\]*)"', line)
        if not m:
            cannot("%s:%d: only key = \"value\" lines are modelled: %r" % (path, number, line))
        key, value = m.groups()
        if key in keys:
            fatal(
                "Error occurred when trying to deserialize the manifest file '%s'. "
                "Error: 'toml: line %d: Key '%s' has already been defined.'." % (path, number, key)
            )
        keys.add(key)
        field = next((f for f in FIELDS if f == key), None) or next(
            (f for f in FIELDS if f.lower() == key.lower()), None
        )
        if field is None:
            continue
        if field in fields_set:
            # Go's map order decides which key wins: nothing to model.
            cannot("%s names %s twice (%s, %s)" % (path, field, fields_set[field], key))
        fields_set[field] = key
        values[field] = value
    return values


manifest = dict.fromkeys(FIELDS, "")
manifest_path = os.path.join(app_path, "oryx-manifest.toml")
if os.path.isfile(manifest_path):  # FileExists: os.Stat, not a folder
    print("Found build manifest file at '%s'. Deserializing it..." % manifest_path)
    manifest.update(read_manifest(manifest_path))
else:
    print("Could not find build manifest file at '%s'" % manifest_path)


def path_exists(path):
    # fsvalidation.go PathExists: os.Stat follows links; only "not exist" is false.
    return os.path.exists(path)


def untar_gzip(destination, tarball):
    # compressionHelper.go untarWithGzip: folders and regular files only (a
    # link in the archive is skipped), a file opened O_CREATE|O_RDWR with the
    # archive's mode, paths joined (and cleaned) onto the destination.
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive:
            target = os.path.normpath(os.path.join(destination, member.name))
            if member.isdir():
                if not os.path.exists(target):
                    os.makedirs(target, 0o755)
            elif member.isreg():
                fd = os.open(target, os.O_CREAT | os.O_RDWR, member.mode)
                with os.fdopen(fd, "wb") as out:
                    out.write(archive.extractfile(member).read())


def extract_tarball(tarball, destination):
    # compressionHelper.go ExtractTarball.
    if not destination:
        panic("Destination directory is required.")
    if path_exists(destination):
        print("Deleting existing directory '%s'..." % destination)
        # os.Remove: a file or an empty folder; anything else is fatal.
        try:
            if os.path.isdir(destination) and not os.path.islink(destination):
                os.rmdir(destination)
            else:
                os.remove(destination)
        except OSError as err:
            fatal("remove %s: %s" % (destination, err.strerror.lower()))
    os.makedirs(destination, 0o755, exist_ok=True)
    print("Extracting '%s' to directory '%s'..." % (tarball, destination))
    if tarball.endswith(".tar.zst"):
        done = subprocess.run(["tar", "-I", "zstd", "-xf", tarball, "-C", destination])
        ok = done.returncode == 0
    else:
        try:
            untar_gzip(destination, tarball)
            ok = True
        except (OSError, tarfile.TarError):
            ok = False
    if not ok:
        panic("An error occurred when trying to extract tarball '%s'." % tarball)


# scriptgenerator.go GenerateEntrypointScript.
python_version = manifest["PythonVersion"] or os.environ.get("PYTHON_VERSION", "")
python_installation_root = host("/opt/python/" + python_version)
script = ["#!/bin/sh", ""]

if manifest["CompressDestinationDir"] == "true":
    print("Output is compressed. Extracting it...")
    zstd_tarball = os.path.join(app_path, "output.tar.zst")
    gzip_tarball = os.path.join(app_path, "output.tar.gz")
    if path_exists(zstd_tarball):
        tarball = zstd_tarball
    elif path_exists(gzip_tarball):
        tarball = gzip_tarball
    else:
        panic("zstd/gzip output not found: '%s' or '%s'" % (zstd_tarball, gzip_tarball))
    source_dir = manifest["SourceDirectoryInBuildContainer"]
    extract_tarball(tarball, host(source_dir) if source_dir else "")
    print("App path is set to '%s'" % source_dir)

# getAppPath.
if manifest["CompressDestinationDir"] == "true" and manifest["SourceDirectoryInBuildContainer"]:
    app = host(manifest["SourceDirectoryInBuildContainer"])
else:
    app = app_path

# The lines it appends to ~/.bashrc serve SSH sessions, not the app: left out.
script += [
    "",
    "# Enter the source directory to make sure the script runs where the user expects",
    "cd " + app,
    "",
    'export APP_PATH="%s"' % app,
    'if [ -z "$HOST" ]; then',
    "\t\texport HOST=0.0.0.0",
    "fi",
    "",
    'if [ -z "$PORT" ]; then',
    "\t\texport PORT=80",
    "fi",
    "",
    'export PATH="%s/bin:${PATH}"' % python_installation_root,
]


def venv_handling(name, venv_dir):
    # getVenvHandlingScript.
    lines = [
        "PYTHON_VERSION=$(python -c \"import sys; print(str(sys.version_info.major) "
        "+ '.' + str(sys.version_info.minor))\")",
        "echo Using packages from virtual environment '%s' located at '%s'." % (name, venv_dir),
        'export PYTHONPATH=${PYTHONPATH:+$PYTHONPATH:}"%s/lib/python$PYTHON_VERSION/site-packages"'
        % venv_dir,
        "echo \"Updated PYTHONPATH to '$PYTHONPATH'\"",
    ]
    source_dir = manifest["SourceDirectoryInBuildContainer"]
    if manifest["CompressDestinationDir"] == "true":
        lines.append(". %s/bin/activate" % name)
    elif manifest["CompressedVirtualEnvFile"] == "":
        if source_dir:
            lines += [
                "mkdir -p " + host(source_dir),
                "ln -sf %s %s" % (venv_dir, host(source_dir)),
                ". %s/bin/activate" % name,
            ]
    else:
        lines.append("if [ -f %s/bin/activate ]; then . %s/bin/activate; fi" % (venv_dir, venv_dir))
    return lines


# getPackageSetupCommand: the manifest's values win over the flags.
venv_name = manifest["VirtualEnvName"] or flag_venv
package_dir_name = manifest["PackageDir"] or flag_packagedir
if venv_name:
    if manifest["CompressedVirtualEnvFile"] == "":
        venv_dir = os.path.join(app, venv_name)
        if path_exists(venv_dir):
            script += venv_handling(venv_name, venv_dir)
        else:
            package_dir_name = "__oryx_packages__"
            script.append(
                "  echo WARNING: Could not find virtual environment directory '%s'." % venv_dir
            )
    else:
        venv_dir = host("/" + venv_name)
        compressed = manifest["CompressedVirtualEnvFile"]
        if compressed.endswith(".zip"):
            script += [
                "echo Found virtual environment .zip archive.",
                'extractionCommand="unzip -q %s -d %s"' % (compressed, venv_dir),
            ]
        elif compressed.endswith(".tar.zst"):
            script += [
                "echo Found virtual environment .tar.zst archive.",
                'extractionCommand="tar -I zstd -xf %s -C %s"' % (compressed, venv_dir),
            ]
        elif compressed.endswith(".tar.gz"):
            script += [
                "echo Found virtual environment .tar.gz archive.",
                'extractionCommand="tar -xzf %s -C %s"' % (compressed, venv_dir),
            ]
        else:
            fatal(
                "Error: Unrecognizable file '%s'. Expected a file with a '.zip', '.tar.zst' "
                "or '.tar.gz' extension." % compressed
            )
        script += [
            "echo Removing existing virtual environment directory '%s'..." % venv_dir,
            "rm -fr " + venv_dir,
            "mkdir -p " + venv_dir,
            "echo Extracting to directory '%s'..." % venv_dir,
            "$extractionCommand",
            # getHandleVenvPresentInRootScript
            "if [ -d %s ]; then" % venv_name,
            "    mv -f %s _del_%s || true" % (venv_name, venv_name),
            "fi",
            "",
            "if [ -d %s ]; then" % venv_dir,
            "    ln -sfn %s ./%s" % (venv_dir, venv_name),
            "fi",
            "",
            'echo "Done."',
        ]
        script += venv_handling(venv_name, venv_dir)

if package_dir_name:
    package_dir = os.path.join(app, package_dir_name)
    if path_exists(package_dir):
        # The generator writes the folder into a .pth file in $HOME's user
        # site-packages; the harness's runtime Python is a venv, which reads
        # no user site.
        cannot("a package folder (%s) is not modelled" % package_dir)
    script.append("  echo WARNING: Could not find package directory '%s'." % package_dir)

# The app's command (GenerateEntrypointScript writes it last): with no
# startup command and no debugging, `gunicorn <module>` (buildGunicornCommand
# ForModule), whichever module DetectFramework finds. The harness runs
# $PROBE_RUNNER instead, which runs its probe in the interpreter of the
# `gunicorn` that command would run: the first on PATH, as everything above
# left it.
script += [
    "",
    "gunicorn=$(command -v gunicorn) || { echo 'harness: no gunicorn on PATH' >&2; exit 3; }",
    'exec "$PROBE_RUNNER" "$gunicorn"',
    "",
]

output = host(flags["-output"])
os.makedirs(os.path.dirname(output), exist_ok=True)
with open(output, "w") as f:
    f.write("\n".join(script))
