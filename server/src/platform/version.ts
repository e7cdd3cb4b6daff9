/** The server's version, as reported by `/`, `/api/health`, the OpenAPI document and the FHIR CapabilityStatement. */
export const VERSION = '0.1.0';
