// The nameConstraints extension (RFC 5280 §4.2.1.10) as DER, built by hand because node-forge has
// no encoder for it: permitted = one dNSName subtree per intercepted host; excluded = every IPv4
// and IPv6 address, so a leaf for an IP literal is refused too.
import forge from 'node-forge';

const { asn1 } = forge;

function subtree(tag: number, value: string): forge.asn1.Asn1 {
  // GeneralSubtree ::= SEQUENCE { base GeneralName, … }; GeneralName alternatives are IMPLICIT,
  // so dNSName is [2] primitive IA5 bytes and iPAddress [7] primitive octets.
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, tag, false, value),
  ]);
}

/** DER bytes (a forge binary string) of NameConstraints for `hosts`. */
export function nameConstraintsDer(hosts: readonly string[]): string {
  const permitted = hosts.map((host) => subtree(2, host));
  // iPAddress in a constraint is address + mask: all zeros = 0.0.0.0/0 (8 bytes) and ::/0 (32 bytes).
  const excluded = [subtree(7, '\0'.repeat(8)), subtree(7, '\0'.repeat(32))];
  const value = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, permitted),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 1, true, excluded),
  ]);
  return asn1.toDer(value).getBytes();
}
