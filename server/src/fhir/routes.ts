/**
 * The FHIR R4 API mounted at /fhir/R4. (Being built: see the fhir/ README.)
 */
import express, { type Router } from 'express';
import type { AppContext } from '../app.js';

export function createFhirRouter(_ctx: AppContext): Router {
  return express.Router();
}
