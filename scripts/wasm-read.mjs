// Reading a wasm binary's structure, shared by scripts/shorten-imports.mjs (renames imports)
// and bench/bench.mjs (function sizes for its profile).

/** An unsigned LEB128 at `i`: `[value, index after it]`. */
export function leb(buf, i) {
  let v = 0, s = 0, c;
  do { c = buf[i++]; v += (c & 0x7f) * 2 ** s; s += 7; } while (c & 0x80);
  return [v, i];
}

/** The sections after the 8-byte header: `{ id, start, body, end }` each (`body`: after the size). */
export function* sections(buf) {
  for (let i = 8; i < buf.length;) {
    const start = i, id = buf[i++];
    const [size, body] = leb(buf, i);
    i = body + size;
    yield { id, start, body, end: i };
  }
}

/**
 * The import section's entries, from its `body`: `{ module, field, kind, desc: [start, end] }`,
 * and `end`, where the last entry stops.
 */
export function imports(buf, body) {
  let [count, j] = leb(buf, body);
  const list = [];
  for (let k = 0; k < count; k++) {
    const [ml, ms] = leb(buf, j); const module = buf.subarray(ms, ms + ml).toString(); j = ms + ml;
    const [fl, fs] = leb(buf, j); const field = buf.subarray(fs, fs + fl).toString(); j = fs + fl;
    const descStart = j;
    const kind = buf[j++];
    if (kind === 0) { [, j] = leb(buf, j); }
    else if (kind === 1) { j++; const f = buf[j++]; [, j] = leb(buf, j); if (f & 1) [, j] = leb(buf, j); }
    else if (kind === 2) { const f = buf[j++]; [, j] = leb(buf, j); if (f & 1) [, j] = leb(buf, j); }
    else if (kind === 3) { j += 2; }
    else if (kind === 4) { j++; [, j] = leb(buf, j); }
    else throw new Error(`import ${field}: unknown kind ${kind}`);
    list.push({ module, field, kind, desc: [descStart, j] });
  }
  return { list, end: j };
}
