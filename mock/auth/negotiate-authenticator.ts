import type { AccountLookup, AuthInput, AuthOptions, AuthResult, Authenticator } from './types.ts'
import { credentialsFor, decodeBase64Token } from './types.ts'
import { NtlmHandshake, type ConnectionSessions } from './ntlm-authenticator.ts'
import { MessageType, ntlmMessageType } from '../../openapi/auth/ntlm.ts'
import { NTLMSSP_OID, NegState, decodeSpnegoToken, encodeNegTokenResp, isRawNtlmToken } from '../../openapi/auth/spnego.ts'

/**
 * Negotiate (RFC 4559) with NTLM as the only mechanism: SPNEGO-wrapped NTLM, or raw NTLMSSP
 * tokens, which Windows clients send under Negotiate when Kerberos is not available. Each
 * answer takes the form of the token it answers. mechListMIC is neither checked nor sent:
 * that needs NTLM session security, which HTTP never uses.
 */
export class NegotiateAuthenticator implements Authenticator {
  readonly scheme = 'Negotiate' as const
  readonly #handshake: NtlmHandshake

  constructor(accounts: AccountLookup, options: AuthOptions, sessions: ConnectionSessions = new WeakMap()) {
    this.#handshake = new NtlmHandshake(accounts, options, sessions)
  }

  challenge(): string {
    return 'Negotiate'
  }

  authenticate(input: AuthInput): AuthResult {
    const credentials = credentialsFor(input.authorization, this.scheme)
    if (credentials === undefined) return this.#handshake.withoutCredentials(input, this.scheme)
    const token = decodeBase64Token(credentials)
    if (token === undefined) return this.#fail(input.connection)
    if (isRawNtlmToken(token)) return this.#raw(input.connection, token)

    const spnego = decodeSpnegoToken(token)
    if (spnego === undefined) return this.#fail(input.connection)
    if (spnego.kind === 'init') {
      if (!spnego.mechTypes.includes(NTLMSSP_OID)) return this.#fail(input.connection)
      const optimistic = spnego.mechTypes[0] === NTLMSSP_OID && spnego.mechToken !== undefined
      if (!optimistic || ntlmMessageType(spnego.mechToken ?? Buffer.alloc(0)) !== MessageType.Negotiate) {
        // RFC 4178 section 3.2: an optimistic token for another mechanism (Kerberos, say) is
        // dropped; naming NTLMSSP asks the client to start over with an NTLM NEGOTIATE.
        this.#handshake.forget(input.connection)
        return this.#continue({ negState: NegState.AcceptIncomplete, supportedMech: NTLMSSP_OID })
      }
      return this.#wrapped(input.connection, spnego.mechToken ?? Buffer.alloc(0), NTLMSSP_OID)
    }
    if (spnego.responseToken === undefined) return this.#fail(input.connection)
    return this.#wrapped(input.connection, spnego.responseToken, undefined)
  }

  #raw(connection: object, token: Buffer): AuthResult {
    const step = this.#handshake.step(connection, token, this.scheme)
    switch (step.step) {
      case 'challenge':
        return { outcome: 'continue', wwwAuthenticate: `Negotiate ${step.message.toString('base64')}` }
      case 'authenticated':
        return { outcome: 'authenticated', account: step.account, scheme: this.scheme }
      case 'failed':
        return { outcome: 'failed' }
    }
  }

  #wrapped(connection: object, token: Buffer, supportedMech: string | undefined): AuthResult {
    const step = this.#handshake.step(connection, token, this.scheme)
    switch (step.step) {
      case 'challenge':
        return this.#continue({ negState: NegState.AcceptIncomplete, supportedMech, responseToken: step.message })
      case 'authenticated':
        return {
          outcome: 'authenticated',
          account: step.account,
          scheme: this.scheme,
          wwwAuthenticate: `Negotiate ${encodeNegTokenResp({ negState: NegState.AcceptCompleted }).toString('base64')}`,
        }
      case 'failed':
        return { outcome: 'failed' }
    }
  }

  #continue(fields: Parameters<typeof encodeNegTokenResp>[0]): AuthResult {
    return { outcome: 'continue', wwwAuthenticate: `Negotiate ${encodeNegTokenResp(fields).toString('base64')}` }
  }

  #fail(connection: object): AuthResult {
    this.#handshake.forget(connection)
    return { outcome: 'failed' }
  }
}
