// In openapi/ because the Negotiate scheme the contract declares wraps its tokens the same way for the mock (server) and the conformance runner (client).
/**
 * SPNEGO (RFC 4178) token coding for the acceptor side, with asn1js doing the DER. The
 * module is defined with EXPLICIT TAGS, so every context tag below wraps its own element.
 */
import * as asn1js from 'asn1js'
import { NTLMSSP_SIGNATURE } from './ntlm.ts'

export const SPNEGO_OID = '1.3.6.1.5.5.2'
export const NTLMSSP_OID = '1.3.6.1.4.1.311.2.2.10'

export const NegState = { AcceptCompleted: 0, AcceptIncomplete: 1, Reject: 2, RequestMic: 3 } as const

export interface NegTokenInit {
  kind: 'init'
  mechTypes: string[]
  mechToken?: Buffer
}

export interface NegTokenResp {
  kind: 'resp'
  negState?: number
  supportedMech?: string
  responseToken?: Buffer
}

const CONTEXT = 3
const APPLICATION = 2

// A token carries one NTLM message of a few kilobytes; the limits keep hostile DER cheap.
const PARSE_LIMITS = { maxDepth: 16, maxNodes: 256 }

/** Raw NTLMSSP tokens are sent under Negotiate by clients that skip SPNEGO (MS-SPNG 3.1.5.1 allows it). */
export function isRawNtlmToken(token: Uint8Array): boolean {
  return token.length >= NTLMSSP_SIGNATURE.length && Buffer.from(token.subarray(0, NTLMSSP_SIGNATURE.length)).equals(NTLMSSP_SIGNATURE)
}

function isTagged(block: asn1js.AsnType, tagClass: number, tagNumber: number): block is asn1js.Constructed {
  return block instanceof asn1js.Constructed && block.idBlock.tagClass === tagClass && block.idBlock.tagNumber === tagNumber
}

/** The elements of a SEQUENCE, or undefined when `block` is not one. */
function sequenceItems(block: asn1js.AsnType | undefined): asn1js.AsnType[] | undefined {
  return block instanceof asn1js.Sequence ? block.valueBlock.value : undefined
}

/** The single element inside an explicit context tag. */
function explicitContent(block: asn1js.Constructed): asn1js.AsnType | undefined {
  return block.valueBlock.value.length === 1 ? block.valueBlock.value[0] : undefined
}

function octets(block: asn1js.AsnType | undefined): Buffer | undefined {
  return block instanceof asn1js.OctetString ? Buffer.from(block.valueBlock.valueHexView) : undefined
}

function oid(block: asn1js.AsnType | undefined): string | undefined {
  return block instanceof asn1js.ObjectIdentifier ? block.valueBlock.toString() : undefined
}

function decodeWhole(bytes: Uint8Array): asn1js.AsnType | undefined {
  const { offset, result } = asn1js.fromBER(bytes, PARSE_LIMITS)
  return offset === bytes.length && result.error === '' ? result : undefined
}

/** NegTokenInit ::= SEQUENCE { mechTypes [0], reqFlags [1], mechToken [2], mechListMIC [3] } */
function readNegTokenInit(block: asn1js.AsnType | undefined): NegTokenInit | undefined {
  const items = sequenceItems(block)
  if (items === undefined) return undefined
  let mechTypes: string[] | undefined
  let mechToken: Buffer | undefined
  for (const item of items) {
    if (isTagged(item, CONTEXT, 0)) {
      const list = sequenceItems(explicitContent(item))
      const oids = list?.map(oid)
      if (oids === undefined || oids.some((value) => value === undefined)) return undefined
      mechTypes = oids as string[]
    } else if (isTagged(item, CONTEXT, 2)) {
      mechToken = octets(explicitContent(item))
      if (mechToken === undefined) return undefined
    }
  }
  if (mechTypes === undefined) return undefined
  return mechToken === undefined ? { kind: 'init', mechTypes } : { kind: 'init', mechTypes, mechToken }
}

/** NegTokenResp ::= SEQUENCE { negState [0], supportedMech [1], responseToken [2], mechListMIC [3] } */
function readNegTokenResp(block: asn1js.AsnType | undefined): NegTokenResp | undefined {
  const items = sequenceItems(block)
  if (items === undefined) return undefined
  const token: NegTokenResp = { kind: 'resp' }
  for (const item of items) {
    if (isTagged(item, CONTEXT, 0)) {
      const state = explicitContent(item)
      if (!(state instanceof asn1js.Enumerated)) return undefined
      token.negState = state.valueBlock.valueDec
    } else if (isTagged(item, CONTEXT, 1)) {
      const mech = oid(explicitContent(item))
      if (mech === undefined) return undefined
      token.supportedMech = mech
    } else if (isTagged(item, CONTEXT, 2)) {
      const response = octets(explicitContent(item))
      if (response === undefined) return undefined
      token.responseToken = response
    }
  }
  return token
}

/**
 * A client's SPNEGO token: the GSS-API InitialContextToken ([APPLICATION 0] { thisMech OID
 * 1.3.6.1.5.5.2, [0] NegTokenInit }, RFC 2743 section 3.1) of the first leg, or the bare
 * [1] NegTokenResp of the later ones. undefined for anything else.
 */
export function decodeSpnegoToken(token: Uint8Array): NegTokenInit | NegTokenResp | undefined {
  const root = decodeWhole(token)
  if (root === undefined) return undefined
  if (isTagged(root, APPLICATION, 0)) {
    const [thisMech, inner] = root.valueBlock.value
    if (oid(thisMech) !== SPNEGO_OID || inner === undefined || !isTagged(inner, CONTEXT, 0)) return undefined
    return readNegTokenInit(explicitContent(inner))
  }
  if (isTagged(root, CONTEXT, 1)) return readNegTokenResp(explicitContent(root))
  return undefined
}

function explicit(tagNumber: number, inner: asn1js.AsnType): asn1js.Constructed {
  return new asn1js.Constructed({ idBlock: { tagClass: CONTEXT, tagNumber }, value: [inner] })
}

/** DER of [1] NegTokenResp with the fields given, in tag order. */
export function encodeNegTokenResp(fields: Omit<NegTokenResp, 'kind'>): Buffer {
  const items: asn1js.AsnType[] = []
  if (fields.negState !== undefined) items.push(explicit(0, new asn1js.Enumerated({ value: fields.negState })))
  if (fields.supportedMech !== undefined) items.push(explicit(1, new asn1js.ObjectIdentifier({ value: fields.supportedMech })))
  if (fields.responseToken !== undefined) items.push(explicit(2, new asn1js.OctetString({ valueHex: fields.responseToken })))
  return Buffer.from(explicit(1, new asn1js.Sequence({ value: items })).toBER())
}
