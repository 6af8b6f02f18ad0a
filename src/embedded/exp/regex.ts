// POSIX regular expressions (glibc regcomp, as the server compiles them for
// cmp_regex) translated to JavaScript ones. Only whether a string matches is
// ever asked, so leftmost-longest and leftmost-first semantics agree. Bytes
// are handled as latin1 characters: the server's C locale matches bytes.

const REG_EXTENDED = 1
const REG_ICASE = 2
const REG_NEWLINE = 4

const CLASSES: Record<string, string> = {
  alpha: 'A-Za-z',
  digit: '0-9',
  alnum: '0-9A-Za-z',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  print: ' -~',
  graph: '!-~',
  cntrl: '\\x00-\\x1f\\x7f',
  xdigit: '0-9A-Fa-f'
}

function escapeChar (c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? '\\' + c : c
}

// A bracket expression from `[` at i: the JS class and the index after `]`.
function bracket (p: string, i: number): { out: string, next: number } | undefined {
  let j = i + 1
  let out = '['
  if (p[j] === '^') {
    out += '^'
    j++
  }
  let first = true
  while (j < p.length) {
    const c = p[j]
    if (c === ']' && !first) return { out: out + ']', next: j + 1 }
    first = false
    if (c === '[' && (p[j + 1] === ':' || p[j + 1] === '=' || p[j + 1] === '.')) {
      const kind = p[j + 1]
      const close = p.indexOf(kind + ']', j + 2)
      if (close < 0) return undefined
      const name = p.slice(j + 2, close)
      if (kind === ':') {
        const cls = CLASSES[name]
        if (cls === undefined) return undefined
        out += cls
      } else {
        out += escapeChar(name)
      }
      j = close + 2
      continue
    }
    if (c === '-' && p[j + 1] !== ']' && out.length > 1 && out !== '[^') out += '-'
    else out += escapeChar(c)
    j++
  }
  return undefined
}

function translate (p: string, extended: boolean): string | undefined {
  let out = ''
  // Where a BRE `*` is literal and `^` is an anchor: at the start of the
  // pattern or of a group or alternative.
  let atStart = true
  for (let i = 0; i < p.length; i++) {
    const c = p[i]
    const wasStart: boolean = atStart
    atStart = false
    if (c === '[') {
      const b = bracket(p, i)
      if (b === undefined) return undefined
      out += b.out
      i = b.next - 1
      continue
    }
    if (c === '\\') {
      const n = p[++i]
      if (n === undefined) return undefined
      if (!extended && '(){}+?|'.includes(n)) {
        out += n === '{' && p[i + 1] === ',' ? '{0' : n
        atStart = n === '(' || n === '|'
      } else if (/[1-9]/.test(n)) {
        out += '\\' + n
      } else if ('wWsSbB'.includes(n)) {
        out += '\\' + n
      } else if (n === '<') {
        out += '\\b(?=\\w)'
      } else if (n === '>') {
        out += '\\b(?<=\\w)'
      } else if (n === '`') {
        out += '(?<![\\s\\S])'
      } else if (n === "'") {
        out += '(?![\\s\\S])'
      } else {
        out += escapeChar(n)
      }
      continue
    }
    if (extended) {
      // glibc reads an interval with no minimum as {0,max}.
      if (c === '{' && p[i + 1] === ',') {
        out += '{0'
        continue
      }
      out += c === '/' ? '\\/' : c
      atStart = c === '(' || c === '|'
      continue
    }
    if ('+?|(){}'.includes(c)) {
      out += '\\' + c
    } else if (c === '*' && wasStart) {
      out += '\\*'
    } else if (c === '^') {
      out += wasStart ? '^' : '\\^'
      atStart = wasStart
    } else if (c === '$') {
      const last = i === p.length - 1 || p.startsWith('\\)', i + 1) || p.startsWith('\\|', i + 1)
      out += last ? '$' : '\\$'
    } else {
      out += c
    }
  }
  return out
}

/** regcomp with the client's flags; undefined where the server's regcomp fails. */
export function compileRegex (pattern: Buffer, flags: number): RegExp | undefined {
  const nul = pattern.indexOf(0)
  const text = (nul < 0 ? pattern : pattern.subarray(0, nul)).toString('latin1')
  const source = translate(text, (flags & REG_EXTENDED) !== 0)
  if (source === undefined) return undefined
  let jsFlags = (flags & REG_NEWLINE) !== 0 ? 'm' : 's'
  if ((flags & REG_ICASE) !== 0) jsFlags += 'i'
  try {
    return new RegExp(source, jsFlags)
  } catch {
    return undefined
  }
}
