import { context, metrics, trace, type Context } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export interface TelemetryOptions {
  serviceName: string;
  /** OTLP/HTTP base URL (e.g. http://collector:4318); traces are exported only when set. */
  otlpEndpoint?: string;
  /** Extra processors, e.g. an in-memory exporter in tests. */
  spanProcessors?: SpanProcessor[];
}

export interface Telemetry {
  resource: Resource;
  /** Serves the process's metrics in the Prometheus text format (mounted at /metrics by the API). */
  prometheus: PrometheusExporter;
  /** One processor fanning out to all configured ones; Temporal's workflow span sink feeds it too. */
  spanProcessor: SpanProcessor;
  shutdown(): Promise<void>;
}

class FanOutSpanProcessor implements SpanProcessor {
  constructor(private readonly processors: SpanProcessor[]) {}
  onStart(span: Span, parent: Context): void {
    for (const p of this.processors) p.onStart(span, parent);
  }
  onEnd(span: ReadableSpan): void {
    for (const p of this.processors) p.onEnd(span);
  }
  async forceFlush(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.forceFlush()));
  }
  async shutdown(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.shutdown()));
  }
}

/**
 * Temporal's workflow sandbox serialises spans in the OpenTelemetry 1.x shape (`parentSpanId`,
 * `instrumentationLibrary`); the 2.x exporters read `parentSpanContext` and `instrumentationScope`.
 */
export function upgradeLegacySpan(span: ReadableSpan): ReadableSpan {
  const legacy = span as ReadableSpan & {
    parentSpanId?: string;
    instrumentationLibrary?: ReadableSpan['instrumentationScope'];
  };
  const needsParent = legacy.parentSpanContext === undefined && legacy.parentSpanId;
  const needsScope = legacy.instrumentationScope === undefined && legacy.instrumentationLibrary;
  if (!needsParent && !needsScope) return span;
  const own = span.spanContext();
  return Object.assign(Object.create(span) as ReadableSpan, {
    spanContext: () => own,
    ...(needsParent
      ? {
          parentSpanContext: {
            traceId: own.traceId,
            spanId: legacy.parentSpanId!,
            traceFlags: own.traceFlags,
            isRemote: false,
          },
        }
      : {}),
    ...(needsScope ? { instrumentationScope: legacy.instrumentationLibrary } : {}),
  });
}

/** Span processor for Temporal's workflow span sink. */
export function workflowSpanProcessor(target: SpanProcessor): SpanProcessor {
  return {
    onStart: () => undefined,
    onEnd: (span) => target.onEnd(upgradeLegacySpan(span)),
    forceFlush: () => target.forceFlush(),
    shutdown: async () => undefined,
  };
}

/**
 * Starts tracing for this process. Call before the HTTP server and `pg` are loaded, so their
 * instrumentations can patch them.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName });
  const processors: SpanProcessor[] = [...(options.spanProcessors ?? [])];
  if (options.otlpEndpoint) {
    const url = `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces`;
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url })));
  }
  const spanProcessor = new FanOutSpanProcessor(processors);
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  // Pull-based: the API serves it on its own /metrics route rather than a second port.
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ resource, readers: [prometheus] });
  metrics.setGlobalMeterProvider(meterProvider);
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        // Health probes would drown the interesting traces.
        ignoreIncomingRequestHook: (req) => (req.url ?? '').startsWith('/health'),
      }),
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  return {
    resource,
    prometheus,
    spanProcessor,
    async shutdown() {
      unregister();
      await provider.shutdown();
      await meterProvider.shutdown();
      metrics.disable();
    },
  };
}

/** The active trace and span ids, for log lines. */
export function activeTraceIds(): { trace_id: string; span_id: string } | undefined {
  const span = trace.getSpan(context.active());
  if (!span) return undefined;
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}
