// Writes dist/docs/: Swagger UI from the npm package swagger-ui-dist (no CDN),
// reading the server's /openapi.json. Run after `vite build` (npm run build).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(web, 'node_modules', 'swagger-ui-dist');
const out = join(web, 'dist', 'docs');
const assets = ['swagger-ui-bundle.js', 'swagger-ui.css', 'swagger-ui-standalone-preset.js'];

if (!existsSync(join(web, 'dist', 'index.html'))) {
  console.error('copy-docs: dist/index.html is missing; run vite build first');
  process.exit(1);
}
mkdirSync(out, { recursive: true });
for (const name of assets) {
  const from = join(src, name);
  if (!existsSync(from)) {
    console.error(`copy-docs: ${from} is missing; run npm ci first`);
    process.exit(1);
  }
  // Drop source-map comments: the .map files are not shipped.
  const text = readFileSync(from, 'utf8').replace(/\n?\/[/*]# sourceMappingURL=[^\n]*$/gm, '');
  writeFileSync(join(out, name), text);
}
copyFileSync(join(src, 'LICENSE'), join(out, 'LICENSE-swagger-ui.txt'));

// validatorUrl: null keeps Swagger UI from asking validator.swagger.io about the spec.
const html = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>heartwave API</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <style>body { margin: 0; } .swagger-ui .topbar .download-url-wrapper { display: none; }</style>
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({
      url: '/openapi.json',
      dom_id: '#swagger-ui',
      deepLinking: true,
      validatorUrl: null,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      layout: 'StandaloneLayout',
      persistAuthorization: true,
    });
  </script>
</body>
</html>
`;
writeFileSync(join(out, 'index.html'), html);
console.log(`copy-docs: wrote ${out} (index.html, ${assets.join(', ')})`);
