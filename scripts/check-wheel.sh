#!/usr/bin/env bash
# Check the distribution as a user gets it: build the sdist, build the wheel from the sdist (as pip
# does from PyPI), install the wheel into a virtualenv of its own and use it from a folder outside
# the checkout, with OPA found on PATH only:
#   - the sdist and the wheel carry the Rego policies, the bundle data and the documented examples;
#   - `pycognito-opa examples` exits 0 (every documented example agrees), `decide -r -` allows a
#     request its policy allows, `lint` finds a misspelt action, `bundle build` writes policies,
#     and the default bundle is written to the cache ($PYCOGNITO_OPA_CACHE);
#   - without OPA on PATH the error (exit 3) names the `go install` command;
#   - nothing is written into the virtualenv (site-packages included) or the working folder.
#
# Kept in build/wheel-check/ between runs: the build environment (while the build requirements
# are unchanged), the virtualenv with the runtime dependencies (while they are unchanged) and the
# user cache. The sdist and the wheel are built on every run (about a second) and the wheel is
# reinstalled when it changed.
#
# Usage: scripts/check-wheel.sh   (PYTHON picks the interpreter, default python3; OPA is taken
# from .tools/bin, see `make tools`.)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"
work="$root/build/wheel-check"
opa_bin="$root/.tools/bin"
pip_flags=(--quiet --disable-pip-version-check --no-input)

say() { echo "wheel-check: $*"; }
fail() {
  echo "wheel-check: FAILED: $*" >&2
  exit 1
}

[ -x "$opa_bin/opa" ] || fail "$opa_bin/opa is missing (run \`make tools\`)"
mkdir -p "$work"

# One check at a time per checkout: the kept environments are shared.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$work/.lock"
  flock 9
fi

# The environments are named by what goes into them: the interpreter, the build requirements,
# the runtime dependencies (from pyproject.toml).
read -r build_key runtime_key < <(
  "$python" - "$root/pyproject.toml" <<'EOF'
import hashlib, json, sys, tomllib
with open(sys.argv[1], "rb") as f:
    project = tomllib.load(f)
def key(*parts):
    return hashlib.sha256(json.dumps([sys.version, *parts]).encode()).hexdigest()[:16]
print(key(project["build-system"]["requires"]), key(project["project"]["dependencies"]))
EOF
)

buildenv="$work/build-$build_key"
if [ ! -f "$buildenv/.ready" ]; then
  say "creating the build environment (pyproject.toml's build-system requires)"
  rm -rf "$buildenv"
  "$python" -m venv "$buildenv"
  mapfile -t requires < <("$python" -c '
import sys, tomllib
print(*tomllib.load(open(sys.argv[1], "rb"))["build-system"]["requires"], sep="\n")
' "$root/pyproject.toml")
  "$buildenv/bin/python" -m pip install "${pip_flags[@]}" "${requires[@]}"
  touch "$buildenv/.ready"
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/pycognito-opa-wheel-check.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

# 1. The sdist from the checkout, the wheel from the sdist.
say "building the sdist and, from it, the wheel"
dist="$tmp/dist"
hatchling() { # hatchling DIR ARGS...: `hatchling build ARGS` in DIR; its output only on failure
  (cd "$1" && shift && "$buildenv/bin/python" -m hatchling build "$@" >"$tmp/hatchling.out" 2>&1) ||
    {
      cat "$tmp/hatchling.out" >&2
      fail "hatchling build $*"
    }
}
hatchling "$root" -t sdist -d "$dist"
sdist="$(echo "$dist"/*.tar.gz)"
mkdir "$tmp/sdist"
tar -xzf "$sdist" -C "$tmp/sdist"
hatchling "$(echo "$tmp"/sdist/*/)" -t wheel -d "$dist"
wheel="$(echo "$dist"/*.whl)"

# Check what they carry; print the wheel's SHA-256 (it is reinstalled when that changes).
wheel_sum="$(
  "$python" - "$sdist" "$wheel" "$root/pyproject.toml" <<'EOF'
import email, hashlib, sys, tarfile, tomllib, zipfile

sdist, wheel, pyproject = sys.argv[1:]
problems = []
with tarfile.open(sdist) as tar:
    names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
for need in ("pyproject.toml", "README.md", "pycognito_opa/py.typed",
             "rego/cognito/authz/authz.rego", "bundles/data/cognito/reference/catalog/data.json",
             "bundles/examples/iam-evaluation.yaml"):
    if need not in names:
        problems.append(f"sdist: {need} is missing")
with zipfile.ZipFile(wheel) as whl:
    names = set(whl.namelist())
    meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
    meta = email.message_from_bytes(whl.read(meta_name))
res = "pycognito_opa/_resources/"
for need in ("pycognito_opa/__init__.py", "pycognito_opa/py.typed",
             res + "rego/cognito/authz/authz.rego", res + "rego/system/authz/authz.rego",
             res + "data/cognito/reference/catalog/data.json",
             res + "data/cognito/reference/managed_policies/data.json",
             res + "examples/iam-evaluation.yaml"):
    if need not in names:
        problems.append(f"wheel: {need} is missing")
extra = {n.split("/", 1)[0] for n in names} - {"pycognito_opa", meta_name.split("/", 1)[0]}
if extra:
    problems.append(f"wheel: unexpected top-level entries {sorted(extra)}")
if any("node_modules/" in n or "__pycache__/" in n for n in names):
    problems.append("wheel: carries node_modules or __pycache__")
runtime = sorted(r.lower() for r in meta.get_all("Requires-Dist") or [] if "extra ==" not in r)
with open(pyproject, "rb") as f:
    declared = sorted(d.lower() for d in tomllib.load(f)["project"]["dependencies"])
if runtime != declared:
    problems.append(f"wheel: runtime dependencies {runtime}, pyproject.toml says {declared}")
for p in problems:
    print(p, file=sys.stderr)
if problems:
    sys.exit(1)
rego = sum(n.startswith(res + "rego/") and n.endswith(".rego") for n in names)
digest = hashlib.sha256(open(wheel, "rb").read()).hexdigest()
print(digest, f"{len(names)} files in the wheel ({rego} Rego files), sdist checked")
EOF
)" || fail "the distribution's contents are wrong (see above)"
say "${wheel_sum#* }"
wheel_sum="${wheel_sum%% *}"

# 2. The virtualenv: the runtime dependencies once, this wheel when it changed.
venv="$work/venv-$runtime_key"
if [ ! -f "$venv/.ready" ]; then
  say "creating the virtualenv with the wheel and its dependencies"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install "${pip_flags[@]}" "$wheel"
  echo "$wheel_sum" >"$venv/.wheel"
  touch "$venv/.ready"
elif [ "$(cat "$venv/.wheel" 2>/dev/null)" != "$wheel_sum" ]; then
  say "installing the rebuilt wheel"
  "$venv/bin/python" -m pip install "${pip_flags[@]}" --no-deps --force-reinstall "$wheel"
  # Installed without its dependencies (they are there already): check that they still fit.
  "$venv/bin/python" -m pip check --disable-pip-version-check >/dev/null ||
    fail "the installed wheel's dependencies are not satisfied"
  echo "$wheel_sum" >"$venv/.wheel"
fi
# Environments of earlier requirements and dependencies go.
for old in "$work"/venv-* "$work"/build-*; do
  [ "$old" = "$venv" ] || [ "$old" = "$buildenv" ] || rm -rf "$old"
done

listing() { # every file and folder under $1 with its size and modification time
  "$python" - "$1" <<'EOF'
import os, sys
top = sys.argv[1]
for folder, dirs, files in os.walk(top):
    for name in sorted(dirs + files):
        path = os.path.join(folder, name)
        st = os.lstat(path)
        print(os.path.relpath(path, top), st.st_size, st.st_mtime_ns)
EOF
}

# 3. Use it from outside the checkout, as a user would: the installed command, OPA from PATH
# only, no $PYCOGNITO_OPA_BINARY, a cache of its own (kept between runs: the default bundle is
# named by its content, so it is built again when the policies or data change).
run="$tmp/run"
inputs="$tmp/inputs"
cache="$work/cache"
mkdir -p "$run" "$inputs" "$tmp/home" "$tmp/nobin" "$tmp/out"
listing "$venv" | grep -v '^\.wheel ' >"$tmp/before"
cli="$venv/bin/pycognito-opa"

cat >"$inputs/request.json" <<'EOF'
{"action": "cognito-identity:ListIdentityPools", "resource": "*",
 "policies": [{"Version": "2012-10-17", "Statement": [
   {"Effect": "Allow", "Action": ["cognito-identity:ListIdentityPools"], "Resource": "*"}]}]}
EOF
cat >"$inputs/policy.json" <<'EOF'
{"Version": "2012-10-17", "Statement": [
  {"Sid": "Typo", "Effect": "Allow", "Action": "cognito-idp:ListUserPool", "Resource": "*"}]}
EOF
cat >"$inputs/check_install.py" <<'EOF'
import sys
import pycognito_opa
from pycognito_opa import _paths
assert pycognito_opa.__file__.startswith(sys.prefix), pycognito_opa.__file__
assert _paths.checkout_root() is None, _paths.checkout_root()
assert _paths.rego_dir() == _paths.RESOURCES_DIR / "rego", _paths.rego_dir()
print(_paths.RESOURCES_DIR)
EOF

step() { # step NAME [--path PATH] COMMAND...: run in the background from $run (stdin: $STDIN)
  local name="$1" path="$opa_bin:/usr/bin:/bin"
  shift
  if [ "$1" = --path ]; then
    path="$2"
    shift 2
  fi
  (
    cd "$run" || exit 99
    status=0
    env -u PYCOGNITO_OPA_BINARY -u PYTHONPATH -u PYTHONHOME -u VIRTUAL_ENV \
      HOME="$tmp/home" PYCOGNITO_OPA_CACHE="$cache" PATH="$path" \
      "$@" <"${STDIN:-/dev/null}" >"$tmp/$name.out" 2>"$tmp/$name.err" || status=$?
    echo "$status" >"$tmp/$name.status"
  ) &
}
status_of() { cat "$tmp/$1.status"; }
show() { cat "$tmp/$1.out" "$tmp/$1.err" | tail -n 20 >&2; }

say "running examples, decide, lint and bundle build from $run"
# Independent commands run side by side; decide and lint come after examples, which builds the
# default bundle they use (each would otherwise build it too: safely, but slower).
step install "$venv/bin/python" "$inputs/check_install.py"
step examples "$cli" examples
step bundle "$cli" bundle build --out "$tmp/out/bundle.tar.gz"
step noopa --path "$tmp/nobin" "$cli" lint "$inputs/policy.json"
wait
STDIN="$inputs/request.json" step decide "$cli" decide -r - --compact
step lint "$cli" lint --json "$inputs/policy.json"
wait

if [ "$(status_of install)" != 0 ]; then
  show install
  fail "the installed package does not read its own resources"
fi
say "the installed package reads $(cat "$tmp/install.out")"

if [ "$(status_of examples)" != 0 ]; then
  show examples
  fail "\`pycognito-opa examples\` exited $(status_of examples) (every documented example must agree)"
fi
say "examples: $(tail -n 1 "$tmp/examples.out")"
ls "$cache"/bundles/default-*.tar.gz >/dev/null 2>&1 ||
  fail "the default bundle is not in the cache ($cache/bundles)"

if [ "$(status_of decide)" != 0 ] || ! grep -q '"decision": *"allow"' "$tmp/decide.out"; then
  show decide
  fail "\`pycognito-opa decide -r -\` exited $(status_of decide) (expected an allow)"
fi
say "decide -r -: $(cat "$tmp/decide.out")"

# Exit 1: a finding at error level, the unknown action, with the catalog's suggestion.
if [ "$(status_of lint)" != 1 ] || ! grep -q '"unknown-action"' "$tmp/lint.out" ||
  ! grep -q 'cognito-idp:ListUserPools' "$tmp/lint.out"; then
  show lint
  fail "\`pycognito-opa lint\` exited $(status_of lint) (expected 1, the unknown action)"
fi
say "lint: the misspelt action is found, with its suggestion (exit 1 as expected)"

if [ "$(status_of bundle)" != 0 ]; then
  show bundle
  fail "\`pycognito-opa bundle build\` exited $(status_of bundle)"
fi
members="$(tar -tzf "$tmp/out/bundle.tar.gz" 2>/dev/null)"
grep -q 'policies/cognito/authz/authz.rego' <<<"$members" || fail "the built bundle has no policies"
say "bundle build: $(grep -c '\.rego$' <<<"$members") policies in the bundle"

if [ "$(status_of noopa)" != 3 ] ||
  ! grep -q "go install github.com/open-policy-agent/opa@v" "$tmp/noopa.err"; then
  show noopa
  fail "without OPA on PATH: exit $(status_of noopa) (expected 3 and the go install command)"
fi
say "without OPA on PATH: exit 3, the message names the go install command"

listing "$venv" | grep -v '^\.wheel ' >"$tmp/after"
if ! diff -u "$tmp/before" "$tmp/after" >"$tmp/venv.diff"; then
  head -n 20 "$tmp/venv.diff" >&2
  fail "the commands wrote into the virtualenv (site-packages)"
fi
if [ -n "$(ls -A "$run")" ]; then
  fail "the commands wrote into the working folder: $(ls -A "$run")"
fi
say "ok: the installed wheel works outside the checkout and wrote nothing into its installation"
