// Owns EmitStrategy (Kafka Streams 3.3+): when a windowed aggregation sends results downstream — on
// every update of a window (the default), or once per window when it closes (stream time past its
// end plus grace), without a suppress() buffer.
export type EmitStrategyType = 'ON_WINDOW_UPDATE' | 'ON_WINDOW_CLOSE';

export class EmitStrategy {
  private constructor(private readonly strategyType: EmitStrategyType) {}

  /** One final result per window, emitted once the window closes. */
  static onWindowClose(): EmitStrategy {
    return new EmitStrategy('ON_WINDOW_CLOSE');
  }

  /** A result for every update of a window (the default). */
  static onWindowUpdate(): EmitStrategy {
    return new EmitStrategy('ON_WINDOW_UPDATE');
  }

  type(): EmitStrategyType {
    return this.strategyType;
  }
}
