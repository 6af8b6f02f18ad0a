// Role whitelists: addresses or CIDR blocks a role's users may log in from.

import { BlockList, isIP } from 'node:net'

/** The list as as_admin_write_whitelist sends it (comma-separated), or undefined when an entry is no address or block. */
export function parseWhitelist (data: Buffer | undefined): string[] | undefined {
  if (data === undefined || data.length === 0) return []
  const list = data.toString('utf8').split(',').filter((s) => s.length > 0)
  for (const entry of list) {
    const [addr, bits, ...rest] = entry.split('/')
    if (rest.length > 0 || isIP(addr) === 0) return undefined
    if (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= (isIP(addr) === 4 ? 32 : 128))) return undefined
  }
  return list
}

function family (address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4'
}

/** Whether the client address is on the list; an IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d. */
export function whitelisted (list: readonly string[], address: string): boolean {
  const blocks = new BlockList()
  for (const entry of list) {
    const [addr, bits] = entry.split('/')
    if (bits === undefined) blocks.addAddress(addr, family(addr))
    else blocks.addSubnet(addr, Number(bits), family(addr))
  }
  const client = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address
  return isIP(client) !== 0 && blocks.check(client, family(client))
}
