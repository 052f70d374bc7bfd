#!/usr/bin/env bash
# Check the distribution as a user gets it: build the sdist, build the wheel from the sdist (as pip
# does from PyPI), install the wheel into a virtualenv of its own and use it from a folder outside
# the checkout, with OPA found on PATH only:
#   - the wheel and the sdist carry the Rego policies, the bundle data and the documented examples;
#   - `pycognito-opa examples` (every documented example agrees), `decide -r -`, `lint` and
#     `bundle build` work, the default bundle goes to the cache ($PYCOGNITO_OPA_CACHE);
#   - without OPA on PATH the error names the `go install` command;
#   - nothing is written into the virtualenv (site-packages included) or the working folder.
#
# The build environment and the virtualenv (with the runtime dependencies) are kept in
# build/wheel-check/ and reused while the build requirements and the dependencies are unchanged;
# the wheel is rebuilt on every run (about a second) and reinstalled when it changed.
#
# Usage: scripts/check-wheel.sh   (PYTHON picks the interpreter, default python3; OPA is taken from
# .tools/bin, see `make tools`.)
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

# One check at a time per checkout: the cached environments are shared.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$work/.lock"
  flock 9
fi

# Environments are keyed by what goes into them: the interpreter, the build requirements and the
# runtime dependencies, read from pyproject.toml.
read -r build_key build_requires runtime_key < <(
  "$python" - "$root/pyproject.toml" <<'EOF'
import hashlib, json, sys, tomllib
with open(sys.argv[1], "rb") as f:
    project = tomllib.load(f)
requires = project["build-system"]["requires"]
deps = project["project"]["dependencies"]
version = sys.version.split()[0]
key = lambda *parts: hashlib.sha256(json.dumps([version, *parts]).encode()).hexdigest()[:16]
print(key(requires), json.dumps(requires).replace(" ", ""), key(deps))
EOF
)

new_venv() { # new_venv DIR: a fresh virtualenv at DIR (marked ready by the caller when complete)
  rm -rf "$1"
  "$python" -m venv "$1"
}

sha256() { "$python" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$1"; }

buildenv="$work/build-$build_key"
if [ ! -f "$buildenv/.ready" ]; then
  say "creating the build environment ($build_requires)"
  new_venv "$buildenv"
  mapfile -t requires < <("$python" -c 'import json, sys; print(*json.loads(sys.argv[1]), sep="\n")' "$build_requires")
  "$buildenv/bin/python" -m pip install "${pip_flags[@]}" "${requires[@]}"
  touch "$buildenv/.ready"
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/pycognito-opa-wheel-check.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

# 1. sdist from the checkout, wheel from the sdist.
say "building the sdist and, from it, the wheel"
dist="$tmp/dist"
hatchling() { # hatchling DIR ARGS...: build in DIR; hatchling's output only when it fails
  (cd "$1" && shift && "$buildenv/bin/python" -m hatchling build "$@" >"$tmp/hatchling.out" 2>&1) ||
    { cat "$tmp/hatchling.out" >&2; fail "hatchling build $*"; }
}
hatchling "$root" -t sdist -d "$dist"
sdist="$(echo "$dist"/*.tar.gz)"
mkdir "$tmp/sdist"
tar -xzf "$sdist" -C "$tmp/sdist"
hatchling "$(echo "$tmp"/sdist/*/)" -t wheel -d "$dist"
wheel="$(echo "$dist"/*.whl)"

"$python" - "$sdist" "$wheel" <<'EOF' || fail "the distribution's contents are wrong (see above)"
import email, sys, tarfile, zipfile

sdist, wheel = sys.argv[1:]
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
tops = {n.split("/", 1)[0] for n in names}
extra = tops - {"pycognito_opa", meta_name.split("/", 1)[0]}
if extra:
    problems.append(f"wheel: unexpected top-level entries {sorted(extra)}")
if any("node_modules/" in n or "__pycache__/" in n for n in names):
    problems.append("wheel: carries node_modules or __pycache__")
requires = meta.get_all("Requires-Dist") or []
runtime = sorted(r for r in requires if "extra ==" not in r)
if runtime != ["pyyaml==6.0.4", "requests==2.34.2"]:
    problems.append(f"wheel: runtime dependencies are {runtime}")
for p in problems:
    print(p, file=sys.stderr)
rego = sum(n.startswith(res + "rego/") and n.endswith(".rego") for n in names)
print(f"wheel-check: {len(names)} files in the wheel ({rego} Rego files), sdist checked")
sys.exit(1 if problems else 0)
EOF

# 2. The virtualenv: runtime dependencies once, this wheel when it changed.
venv="$work/venv-$runtime_key"
if [ ! -f "$venv/.ready" ]; then
  say "creating the virtualenv with the wheel and its dependencies"
  new_venv "$venv"
  "$venv/bin/python" -m pip install "${pip_flags[@]}" "$wheel"
  sha256 "$wheel" >"$venv/.wheel"
  touch "$venv/.ready"
fi
wheel_sum="$(sha256 "$wheel")"
if [ "$(cat "$venv/.wheel" 2>/dev/null)" != "$wheel_sum" ]; then
  say "installing the rebuilt wheel"
  "$venv/bin/python" -m pip install "${pip_flags[@]}" --no-deps --force-reinstall "$wheel"
  # Installed without its dependencies (they are there already): check that they still fit.
  "$venv/bin/python" -m pip check --disable-pip-version-check >/dev/null ||
    fail "the installed wheel's dependencies are not satisfied"
  echo "$wheel_sum" >"$venv/.wheel"
fi
# Remove virtualenvs of earlier dependency sets and build environments of earlier requirements.
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

# 3. Use it from outside the checkout: OPA from PATH only, a cache of its own.
run="$tmp/run"
inputs="$tmp/inputs"
cache="$tmp/cache"
mkdir -p "$run" "$inputs" "$tmp/home" "$tmp/nobin"
listing "$venv" | grep -v '^\.wheel ' >"$tmp/before"

in_user_env() { # run "$@" from $run as a user would: installed package, OPA on PATH
  (cd "$run" && env -u PYCOGNITO_OPA_BINARY -u PYTHONPATH -u PYTHONHOME -u VIRTUAL_ENV \
    HOME="$tmp/home" PYCOGNITO_OPA_CACHE="$cache" PATH="${USER_PATH:-$opa_bin:/usr/bin:/bin}" \
    "$@")
}
cli="$venv/bin/pycognito-opa"

in_user_env "$venv/bin/python" -c '
import sys
import pycognito_opa
from pycognito_opa import _paths
assert pycognito_opa.__file__.startswith(sys.prefix), pycognito_opa.__file__
assert _paths.checkout_root() is None, _paths.checkout_root()
assert _paths.rego_dir() == _paths.RESOURCES_DIR / "rego", _paths.rego_dir()
print("wheel-check: the installed package reads", _paths.RESOURCES_DIR)
' || fail "the installed package does not use its own resources"

say "pycognito-opa examples"
status=0
in_user_env "$cli" examples >"$tmp/examples.out" 2>&1 || status=$?
if [ "$status" != 0 ]; then
  tail -n 20 "$tmp/examples.out" >&2
  fail "\`pycognito-opa examples\` exited $status (every documented example must agree)"
fi
tail -n 1 "$tmp/examples.out"
ls "$cache"/bundles/default-*.tar.gz >/dev/null 2>&1 ||
  fail "the default bundle was not written to the cache ($cache/bundles)"

say "pycognito-opa decide -r -"
cat >"$inputs/request.json" <<'EOF'
{"action": "cognito-identity:ListIdentityPools", "resource": "*",
 "policies": [{"Version": "2012-10-17", "Statement": [
   {"Effect": "Allow", "Action": ["cognito-identity:ListIdentityPools"], "Resource": "*"}]}]}
EOF
in_user_env "$cli" decide -r - --compact <"$inputs/request.json" >"$tmp/decide.out" ||
  fail "\`pycognito-opa decide -r -\` failed"
grep -q '"decision": *"allow"' "$tmp/decide.out" || fail "decide: $(cat "$tmp/decide.out")"
cat "$tmp/decide.out"

say "pycognito-opa lint"
cat >"$inputs/policy.json" <<'EOF'
{"Version": "2012-10-17", "Statement": [
  {"Sid": "Typo", "Effect": "Allow", "Action": "cognito-idp:ListUserPool", "Resource": "*"}]}
EOF
status=0
in_user_env "$cli" lint --json "$inputs/policy.json" >"$tmp/lint.out" || status=$?
# Exit 1: a finding at error level, the unknown action, named with the catalog's suggestion.
[ "$status" = 1 ] && grep -q '"unknown-action"' "$tmp/lint.out" &&
  grep -q 'cognito-idp:ListUserPools' "$tmp/lint.out" ||
  fail "lint exited $status: $(cat "$tmp/lint.out")"
echo "unknown-action found, with its suggestion (exit 1 as expected)"

say "pycognito-opa bundle build"
in_user_env "$cli" bundle build --out "$tmp/out/bundle.tar.gz" >/dev/null ||
  fail "\`pycognito-opa bundle build\` failed"
members="$(tar -tzf "$tmp/out/bundle.tar.gz" 2>/dev/null)"
grep -q 'policies/cognito/authz/authz.rego' <<<"$members" || fail "the built bundle has no policies"
echo "$(grep -c '\.rego$' <<<"$members") policies in the bundle"

say "without OPA on PATH"
status=0
USER_PATH="$tmp/nobin" in_user_env "$cli" decide -r - <"$inputs/request.json" \
  >/dev/null 2>"$tmp/noopa.err" || status=$?
[ "$status" = 3 ] && grep -q "go install github.com/open-policy-agent/opa@v" "$tmp/noopa.err" ||
  fail "without OPA: exit $status, $(cat "$tmp/noopa.err")"
echo "exit 3, the message names the go install command"

listing "$venv" | grep -v '^\.wheel ' >"$tmp/after"
if ! diff -u "$tmp/before" "$tmp/after" >"$tmp/venv.diff"; then
  head -n 20 "$tmp/venv.diff" >&2
  fail "the commands wrote into the virtualenv (site-packages)"
fi
if [ -n "$(ls -A "$run")" ]; then
  fail "the commands wrote into the working folder: $(ls -A "$run")"
fi
say "ok: the wheel works from outside the checkout and writes nothing into its installation"
