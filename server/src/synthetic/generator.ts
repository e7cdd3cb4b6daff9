/**
 * The pure generator: given a seed and a `now` day it produces the clinic network and, patient by
 * patient, every resource of that patient. Nothing is kept between patients except the slot plan
 * (a few thousand entries), so memory stays flat however many patients are generated.
 */
import { Faker, base, en, en_US, es, es_MX, vi } from '@faker-js/faker';
import type { Resource, Slot } from '@medplum/fhirtypes';
import { SlotPlan, buildClinic, scheduleResources, type ClinicDirectory } from './clinic.js';
import { careGapObservations, conditionResources, generateClinical, screeningProcedures } from './clinical.js';
import { fullProfileResources } from './care.js';
import { generatePerson, patientResource } from './demographics.js';
import { IdAllocator, type GeneratorContext } from './model.js';
import { Prng } from './prng.js';

export interface GeneratorOptions {
  seed: number;
  /** UTC midnight of the reference day. */
  nowDay: number;
  lean: boolean;
  /** Seed and day the clinic network was (or is being) created with; defaults to seed/nowDay. */
  clinic?: { seed: number; nowDay: number };
  /** Build schedules and a slot plan that full patients book into (new clinic, full profile). */
  withSlots: boolean;
}

export class SyntheticGenerator {
  readonly directory: ClinicDirectory;
  /** Organization, payers, locations, services, practitioners, roles (+ schedules with slots). */
  readonly clinicResources: Resource[];
  private readonly ctx: GeneratorContext;
  private readonly slotPlan: SlotPlan | undefined;

  constructor(options: GeneratorOptions) {
    const prng = new Prng(options.seed);
    const fakers = {
      en: new Faker({ locale: [en_US, en, base], randomizer: prng }),
      es: new Faker({ locale: [es_MX, es, en, base], randomizer: prng }),
      vi: new Faker({ locale: [vi, en, base], randomizer: prng }),
    };
    const clinic = options.clinic ?? { seed: options.seed, nowDay: options.nowDay };
    const built = buildClinic(clinic.seed, clinic.nowDay, fakers.en, prng);
    this.directory = built.directory;
    this.clinicResources = built.resources;
    if (options.withSlots && !options.lean) {
      this.clinicResources.push(...scheduleResources(this.directory));
      this.slotPlan = new SlotPlan(this.directory, prng);
    }
    this.ctx = { seed: options.seed, nowDay: options.nowDay, lean: options.lean, directory: this.directory, slots: this.slotPlan, prng, fakers };
  }

  /** Every resource of patient `number` (1-based), the Patient first. */
  patient(number: number): Resource[] {
    const ctx = this.ctx;
    const ids = new IdAllocator(ctx.seed, number);
    const person = generatePerson(ctx, number);
    const clinical = generateClinical(ctx, person, ids);
    const resources: Resource[] = [patientResource(ctx, person), ...conditionResources(person, clinical)];
    resources.push(...careGapObservations(ctx, person, clinical, ids));
    resources.push(...screeningProcedures(ctx, person, ids));
    if (!ctx.lean) resources.push(...fullProfileResources(ctx, person, clinical, ids));
    return resources;
  }

  /** The slots with their final status; write them after the patients who booked them. */
  slotResources(): Slot[] {
    return this.slotPlan?.resources() ?? [];
  }
}
