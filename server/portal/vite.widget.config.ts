/**
 * Builds the embeddable chat widget into ONE classic script, portal/dist/widget.js (served at
 * /widget.js): framework-free, socket.io-client bundled in, no CSS file (styles live in the script
 * and go into the widget's shadow root). Run after the portal build, which empties dist/.
 */
import { classicScriptConfig } from './vite.classic-script.js';

export default classicScriptConfig({ entry: './src/widget/embed.ts', name: 'CarebridgeWidget', fileName: 'widget.js' });
