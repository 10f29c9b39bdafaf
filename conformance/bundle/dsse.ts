/**
 * DSSE (Dead Simple Signing Envelope, secure-systems-lab/dsse v1) with Ed25519 from node:crypto: the signature is over
 * PAE(payloadType, payload) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths as ASCII decimal byte counts.
 * The key id is the SHA-256 of the public key's SubjectPublicKeyInfo (DER), hex: a hint DSSE does not authenticate,
 * which `nwa verify` nevertheless holds to the key it is given, so that no byte of the envelope goes unchecked.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto'

export const inTotoPayloadType = 'application/vnd.in-toto+json'

export interface DsseSignature {
  keyid: string
  sig: string
}

export interface DsseEnvelope {
  payload: string
  payloadType: string
  signatures: DsseSignature[]
}

export function pae(payloadType: string, body: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8')
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${body.length} `), body])
}

/** Of a public key, or of the public half of a private one. */
export function keyId(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
}

/** An envelope of `body`, signed by `privateKey` when one is given; without one its signature list is empty (unsigned). */
export function envelope(body: Buffer, payloadType: string, privateKey?: KeyObject): DsseEnvelope {
  const signatures = privateKey === undefined ? [] : [{ keyid: keyId(privateKey), sig: sign(null, pae(payloadType, body), privateKey).toString('base64') }]
  return { payload: body.toString('base64'), payloadType, signatures }
}

/** The envelope as the bundle stores it: these keys in this order, two-space indentation, a final newline. */
export function serializeEnvelope(value: DsseEnvelope): string {
  const canonical: DsseEnvelope = {
    payload: value.payload,
    payloadType: value.payloadType,
    signatures: value.signatures.map((signature) => ({ keyid: signature.keyid, sig: signature.sig })),
  }
  return `${JSON.stringify(canonical, null, 2)}\n`
}

/** Whether one of the envelope's signatures is `publicKey`'s over its payload; its key id must name that key. */
export function verifyEnvelope(value: DsseEnvelope, publicKey: KeyObject): { ok: true } | { ok: false; problem: string } {
  if (value.signatures.length === 0) return { ok: false, problem: 'the statement is not signed' }
  const id = keyId(publicKey)
  const body = Buffer.from(value.payload, 'base64')
  const signature = value.signatures.find((candidate) => candidate.keyid === id)
  if (signature === undefined) {
    return { ok: false, problem: `no signature names the key ${id}; the statement is signed by ${value.signatures.map((s) => s.keyid).join(', ')}` }
  }
  return verify(null, pae(value.payloadType, body), publicKey, Buffer.from(signature.sig, 'base64'))
    ? { ok: true }
    : { ok: false, problem: `the Ed25519 signature of key ${id} does not verify over the statement` }
}

export interface KeyPairPem {
  privateKey: string
  publicKey: string
  keyid: string
}

/** A new Ed25519 key pair: PKCS#8 and SPKI PEM, optionally with the private key encrypted (AES-256-CBC) by a passphrase. */
export function generateSigningKeys(passphrase?: string): KeyPairPem {
  const pair = generateKeyPairSync('ed25519')
  const privateKey = pair.privateKey.export(
    passphrase === undefined ? { type: 'pkcs8', format: 'pem' } : { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase },
  )
  return { privateKey: String(privateKey), publicKey: String(pair.publicKey.export({ type: 'spki', format: 'pem' })), keyid: keyId(pair.publicKey) }
}

function ed25519(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${what} is a ${key.asymmetricKeyType ?? 'symmetric'} key, not Ed25519`)
  return key
}

export function readPrivateKey(pem: string, passphrase?: string): KeyObject {
  return ed25519(createPrivateKey(passphrase === undefined ? pem : { key: pem, passphrase }), 'the signing key')
}

export function readPublicKey(pem: string): KeyObject {
  return ed25519(createPublicKey(pem), 'the public key')
}
