#!/usr/bin/env bash
# A real language client: Neovim (0.7, Debian's, with its `vim.lsp.start_client`
# API) starts `stslint lsp`, opens a bad manifest, and waits for diagnostics.
# What it shows (`line:col rule-id`, 1-based) must be exactly what
# `stslint --format compact` reports for that file in its directory, and
# include the finding named below at its line.
#
# Usage: .ci/nvim_lsp.sh BINARY [FILE] [EXPECTED]
set -euo pipefail
cd "$(dirname "$0")/.."

bin=$(realpath "${1:?usage: nvim_lsp.sh BINARY [FILE] [EXPECTED]}")
file=$(realpath "${2:-examples/shop-db-bad/postgres.yaml}")
expected=${3:-28:16 missing-headless-service}
dir=$(dirname "$file")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/init.lua" <<'EOF'
-- Once the file is loaded: start the server for its directory, attach it,
-- wait for its diagnostics, write them out and quit.
vim.api.nvim_create_autocmd("VimEnter", {
  callback = function()
    local buf = vim.api.nvim_get_current_buf()
    local file = vim.api.nvim_buf_get_name(buf)
    local id = vim.lsp.start_client({
      name = "stslint",
      cmd = { os.getenv("STSLINT_BIN"), "lsp" },
      root_dir = vim.fn.fnamemodify(file, ":h"),
    })
    local lines = {}
    if id == nil then
      table.insert(lines, "error: the client did not start")
    else
      vim.lsp.buf_attach_client(buf, id)
      local seen = vim.wait(20000, function()
        return #vim.diagnostic.get(buf) > 0
      end, 50)
      if not seen then
        table.insert(lines, "error: no diagnostics in 20 s")
      end
    end
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      local lsp = d.user_data and d.user_data.lsp or {}
      local code = d.code or lsp.code or "?"
      table.insert(lines, string.format("%d:%d %s", d.lnum + 1, d.col + 1, code))
    end
    vim.fn.writefile(lines, os.getenv("STSLINT_OUT"))
    vim.cmd("qa!")
  end,
})
EOF

STSLINT_BIN="$bin" STSLINT_OUT="$work/got" XDG_STATE_HOME="$work" XDG_CACHE_HOME="$work" \
  timeout 60 nvim --headless -n -i NONE -u "$work/init.lua" "$file" </dev/null >"$work/nvim.out" 2>&1 || {
  echo "nvim failed or timed out:"; cat "$work/nvim.out"; exit 1; }
sort "$work/got" >"$work/got.sorted"

# What the command line reports for the file, linted with its directory.
name="$(basename "$file")"
(cd "$dir" && "$bin" --format compact -q . || true) \
  | sed -n "s|^\(\./\)\?$name:\([0-9]*\):\([0-9]*\): [a-z]*\[\([^]]*\)\].*|\2:\3 \4|p" \
  | sort >"$work/want"

echo "Neovim $(nvim --version | head -1 | cut -d' ' -f2) shows $(wc -l <"$work/got.sorted") diagnostics for $name"
if ! diff -u "$work/want" "$work/got.sorted"; then
  echo "FAIL: the diagnostics in Neovim differ from \`stslint --format compact\` (- compact, + Neovim)"
  exit 1
fi
if ! grep -qx "$expected" "$work/got.sorted"; then
  echo "FAIL: no \`$expected\` among the diagnostics"
  cat "$work/got.sorted"
  exit 1
fi
echo "ok: $expected, and every other finding at its place"

# The README's Vim errorformat reads the same compact output into the
# quickfix list: every line valid, at its place, with its severity.
efm=$(grep -m1 '^setlocal errorformat=' README.md)
(cd "$dir" && "$bin" --format compact -q . || true) >"$work/compact"
cat >"$work/efm.lua" <<'EOF'
vim.cmd(os.getenv("STSLINT_EFM"))
vim.cmd("cgetfile " .. vim.fn.fnameescape(os.getenv("STSLINT_COMPACT")))
local lines = {}
for _, e in ipairs(vim.fn.getqflist()) do
  local rule = e.text:match("^%[([^]]+)%]") or "?"
  table.insert(lines, string.format("%s:%d:%d: %s[%s] valid=%d",
    vim.fn.bufname(e.bufnr), e.lnum, e.col, e.type, rule, e.valid))
end
vim.fn.writefile(lines, os.getenv("STSLINT_OUT"))
vim.cmd("qa!")
EOF
(cd "$dir" && STSLINT_EFM="$efm" STSLINT_COMPACT="$work/compact" STSLINT_OUT="$work/qf" \
  timeout 60 nvim --headless -n -i NONE -u NONE -c "luafile $work/efm.lua" </dev/null >/dev/null 2>&1)
sed 's|^\([^:]*:[0-9]*:[0-9]*\): \(.\)[a-z]*\(\[[^]]*\]\).*|\1: \2\3 valid=1|' "$work/compact" >"$work/qf.want"
if ! diff -u "$work/qf.want" "$work/qf"; then
  echo "FAIL: the README's errorformat does not read --format compact (- compact, + quickfix)"
  exit 1
fi
echo "ok: the README's errorformat reads all $(wc -l <"$work/qf") lines of --format compact"
