// `npm run key -- new <id>`: a new API key, its secret once on stdout and the
// entry for the key file; `npm run key -- hash <secret>`: the hash of a secret
// made elsewhere (at least 16 characters).

import { randomBytes } from 'node:crypto'
import { hashSecret } from './keys'

const [command, arg] = process.argv.slice(2)
if (command === 'new' && arg !== undefined && arg !== '') {
  const secret = `ag_${randomBytes(32).toString('base64url')}`
  process.stdout.write(`secret (give it to the client; it is not stored): ${secret}\n\n` +
    `key file entry:\n  - id: ${JSON.stringify(arg)}\n    hash: ${hashSecret(secret)}\n` +
    '    scopes:\n      - namespaces: ["*"]\n        sets: ["*"]\n        permissions: [read]\n')
} else if (command === 'hash' && arg !== undefined && arg.length >= 16) {
  process.stdout.write(`${hashSecret(arg)}\n`)
} else {
  process.stderr.write('usage: npm run key -- new <id>\n       npm run key -- hash <secret of 16 characters or more>\n')
  process.exit(2)
}
