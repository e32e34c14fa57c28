/** Injection tokens for the objects the API is built around. */
export const CONFIG = Symbol('PerimeterConfig');
export const DATA_SOURCE = Symbol('DataSource');
export const TEMPORAL_CLIENT = Symbol('TemporalClient');
export const LOGGER = Symbol('Logger');
export const TELEMETRY = Symbol('Telemetry');
