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

/**
 * Function body sizes by function index (imports first), and names when the file kept its
 * name section (EPAY_KEEP_NAMES=1 builds): `{ size(idx), name(idx), total, imported, sizes }`
 * (`sizes[k]` is the body of function `imported + k`).
 */
export function functions(b) {
  let imported = 0; const sizes = []; const names = new Map();
  for (const { id, body, end } of sections(b)) {
    if (id === 2) imported = imports(b, body).list.filter((x) => x.kind === 0).length;
    if (id === 10) {
      let [n, i] = leb(b, body);
      for (; n > 0; n--) { const [sz, at] = leb(b, i); sizes.push(sz); i = at + sz; }
    }
    if (id === 0) {
      let [nl, i] = leb(b, body);
      if (b.subarray(i, i + nl).toString() !== 'name') continue;
      for (i += nl; i < end;) {
        const sub = b[i++]; const [ss, at] = leb(b, i); i = at;
        if (sub === 1) {
          let [n, j] = leb(b, i);
          for (; n > 0; n--) { let idx, l; [idx, j] = leb(b, j); [l, j] = leb(b, j); names.set(idx, b.subarray(j, j + l).toString()); j += l; }
        }
        i = at + ss;
      }
    }
  }
  return {
    size: (idx) => sizes[idx - imported] || 0, name: (idx) => names.get(idx) || `function ${idx}`,
    total: sizes.reduce((a, c) => a + c, 0), imported, sizes, named: names.size > 0,
  };
}

/**
 * The data segments: `{ addr, start, len }` each, `addr` where an active segment lies in memory
 * (its `i32.const` offset; null for a passive one or another offset expression), `start` and
 * `len` its bytes in the file.
 */
export function segments(b) {
  const list = [];
  for (const { id, body } of sections(b)) {
    if (id !== 11) continue;
    let [n, i] = leb(b, body);
    for (; n > 0; n--) {
      const [flags, at] = leb(b, i); i = at;
      if (flags === 2) [, i] = leb(b, i);
      let addr = null;
      if (flags !== 1) { // the offset expression: `i32.const n` or `global.get g`, then `end`
        const isConst = b[i++] === 0x41;
        let v = 0, s = 0, c;
        do { c = b[i++]; v |= (c & 0x7f) << s; s += 7; } while (c & 0x80);
        if (s < 32 && (c & 0x40)) v |= -1 << s; // signed LEB128
        if (isConst) addr = v >>> 0;
        if (b[i++] !== 0x0b) throw new Error('data segment: unexpected offset expression');
      }
      const [len, start] = leb(b, i);
      list.push({ addr, start, len }); i = start + len;
    }
  }
  return list;
}

/** The bytes of every data segment, concatenated (`Buffer`). */
export function data(b) {
  return Buffer.concat(segments(b).map(({ start, len }) => b.subarray(start, start + len)));
}
