// Owns what every kafkajs client Sluice creates gets for TLS and SASL (the `ssl` / `sasl` of the
// kafkajs config), and the security facts error messages need (is TLS on, which mechanism, which
// principal). Any code that creates a kafkajs instance builds its config with kafkajsSecurity().
//
// OAUTHBEARER goes through our own authenticator (kafkajs' documented `authenticationProvider`):
// kafkajs' built-in one ignores the broker's error challenge (KIP-255), so a rejected token shows up
// later as "Closed connection" after retries; ours completes the exchange and fails at once, saying
// why the broker refused the token.
import kafkajs, { type AuthenticationProviderArgs, type KafkaConfig, type Mechanism, type SASLOptions } from 'sluice-kafkajs';
import { describeError } from '@sluice/common';
import type { OAuthBearerProvider, ResolvedSasl, SslConfig } from '../security-config.js';
import { principalOf } from '../security-config.js';

export interface SecurityOptions {
  readonly ssl?: SslConfig | undefined;
  readonly sasl?: ResolvedSasl | undefined;
}

/** What error translation needs to know about a client's security (errors.ts). */
export interface SecurityContext {
  readonly brokers: readonly string[];
  readonly ssl: boolean;
  readonly saslMechanism: string | undefined;
  /** `User:<name>` when the credentials tell it (PLAIN, SCRAM); undefined for OAUTHBEARER. */
  readonly principal: string | undefined;
}

export function securityContext(brokers: readonly string[], o: SecurityOptions): SecurityContext {
  return { brokers, ssl: o.ssl !== undefined && o.ssl !== false, saslMechanism: o.sasl?.mechanism, principal: principalOf(o.sasl) };
}

export function kafkajsSecurity(o: SecurityOptions): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const out: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (o.ssl !== undefined) out.ssl = o.ssl;
  if (o.sasl !== undefined) {
    out.sasl =
      o.sasl.mechanism === 'oauthbearer'
        ? oauthBearerMechanism(o.sasl.oauthBearerProvider)
        : ({ mechanism: o.sasl.mechanism, username: o.sasl.username, password: o.sasl.password } as SASLOptions);
  }
  return out;
}

const SOH = '\u0001';

/** kafkajs' own error for refused SASL logins: non-retriable, so its retrier gives up at once. */
function saslError(message: string): Error {
  // kafkajs' index spreads its errors into module.exports: reachable through the default export only
  const SaslError = kafkajs.KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error;
  return new SaslError(message);
}

function framed(bytes: Buffer): Buffer {
  const out = Buffer.allocUnsafe(4 + bytes.length);
  out.writeInt32BE(bytes.length, 0);
  bytes.copy(out, 4);
  return out;
}

async function tokenOf(provider: OAuthBearerProvider): Promise<string> {
  let token: unknown;
  try {
    token = await provider();
  } catch (err) {
    // the identity provider may be briefly unreachable: kafkajs retries this (a plain Error is retriable)
    throw new Error(`sasl.oauthBearerProvider failed: ${describeError(err)}`, { cause: err });
  }
  const value = (token as { value?: unknown } | null | undefined)?.value;
  if (typeof value !== 'string' || value.length === 0) {
    throw saslError(`SASL OAUTHBEARER: sasl.oauthBearerProvider must return { value: '<JWT>' }, it returned ${token === null ? 'null' : typeof token === 'object' ? `an object without a string 'value'` : typeof token}`);
  }
  return value;
}

function oauthBearerMechanism(provider: OAuthBearerProvider): Mechanism {
  return {
    mechanism: 'oauthbearer',
    authenticationProvider: ({ host, port, saslAuthenticate }: AuthenticationProviderArgs) => ({
      async authenticate() {
        const token = await tokenOf(provider);
        const initial = framed(Buffer.from(`n,,${SOH}auth=Bearer ${token}${SOH}${SOH}`));
        const challenge = await saslAuthenticate<Buffer>({
          request: { encode: async () => initial },
          // the SaslAuthenticate response's bytes arrive length-prefixed
          response: { decode: async (raw: Buffer) => raw.subarray(4), parse: (bytes: Buffer) => bytes },
        });
        if (!challenge || challenge.length === 0) return;
        // An error challenge (RFC 7628: {"status":"invalid_token",...}). The client answers with one
        // SOH and the broker then fails the exchange with its reason.
        let reason = '';
        try {
          await saslAuthenticate({ request: { encode: async () => framed(Buffer.from(SOH)) } });
        } catch (err) {
          const message = (err as Error).message;
          if (message !== challenge.toString('utf8')) reason = `: ${message}`;
        }
        throw saslError(`SASL OAUTHBEARER authentication failed at ${host}:${port}: the broker rejected the token (${challenge.toString('utf8')})${reason}`);
      },
    }),
  };
}
