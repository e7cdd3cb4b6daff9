/**
 * The chat widget's configuration a clinic sets: accent colour, header title, greeting, the
 * pre-chat form and its reason choices. From the JSON file named by `WIDGET_CONFIG`, validated with
 * `widgetConfigSchema` (a bad file, or a colour white text cannot be read on, stops the server with
 * one line naming the variable), else the built-in defaults. Served to the widget as is: no PHI.
 */
import { widgetConfigSchema, type WidgetConfig } from '../contracts/widget.js';
import { loadJsonConfigFile } from '../platform/config.js';

export const DEFAULT_WIDGET_CONFIG: WidgetConfig = widgetConfigSchema.parse({});

export function loadWidgetConfig(file: string | undefined): WidgetConfig {
  return file === undefined ? DEFAULT_WIDGET_CONFIG : loadJsonConfigFile('WIDGET_CONFIG', file, widgetConfigSchema);
}
