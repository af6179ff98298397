import { Transform } from 'node:stream';

/**
 * A pass-through that fails when no byte has come for `idleMs`: a download that
 * stalls (a half-open connection) must not hold the operation lock forever,
 * while a slow but moving one may take as long as it needs.
 */
export class IdleTimeout extends Transform {
  private timer: NodeJS.Timeout;

  constructor(
    private readonly idleMs: number,
    private readonly what: string,
  ) {
    super();
    this.timer = this.arm();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null, data?: Buffer) => void): void {
    clearTimeout(this.timer);
    this.timer = this.arm();
    done(null, chunk);
  }

  override _flush(done: () => void): void {
    clearTimeout(this.timer);
    done();
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    clearTimeout(this.timer);
    done(error);
  }

  private arm(): NodeJS.Timeout {
    return setTimeout(() => this.destroy(new Error(`${this.what}: no data for ${Math.round(this.idleMs / 1000)} s`)), this.idleMs);
  }
}
