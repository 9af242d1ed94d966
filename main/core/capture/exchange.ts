// The seam between the network side of capture (proxy, gateway: capture/net/) and the pipeline
// that turns traffic into memories (parser, tracker, privacy, outbox). The network side hands over
// one CapturedExchange per finished request; the pipeline never touches sockets.

export type CaptureRoute = 'proxy' | 'gateway';

export interface CapturedExchange {
  route: CaptureRoute;
  /** The host the client addressed (api.anthropic.com), even when an upstream override is in use. */
  host: string;
  method: string;
  /** Path with query string, as the client sent it ("/v1/messages?beta=true"). */
  path: string;
  /** Request headers, lower-cased, without credentials (authorization, x-api-key, cookie are dropped at the tap). */
  requestHeaders: Record<string, string>;
  /** Request body, decoded from any content-encoding. */
  requestBody: Buffer;
  /** Upstream status; 0 when no response arrived. */
  status: number;
  responseHeaders: Record<string, string>;
  /** A decoded copy of the response body (the client received the original bytes). */
  responseBody: Buffer;
  /** False when either side aborted or the body could not be decoded. */
  complete: boolean;
  startedAt: string;
  endedAt: string;
  /**
   * The tap's own id for this request, also on its AcceptedRequest: the pipeline keeps what it
   * parsed when recording the request as accepted for the finished exchange (parsed once).
   */
  tapId?: string;
}

/**
 * Receives finished exchanges. Must return quickly and never throw into the network path: the
 * capture is a tap, not a gate.
 */
export type ExchangeSink = (exchange: CapturedExchange) => void;

/** A Messages request the network side accepted, as soon as its body has arrived (no answer yet). */
export type AcceptedRequest = Pick<
  CapturedExchange,
  'route' | 'host' | 'method' | 'path' | 'requestHeaders' | 'requestBody' | 'tapId'
>;
