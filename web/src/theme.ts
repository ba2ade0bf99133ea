import { createTheme, type MantineColorsTuple } from '@mantine/core';

const spark: MantineColorsTuple = [
  '#eef1ff',
  '#dce0fb',
  '#b6bdf0',
  '#8d98e6',
  '#6a78dd',
  '#5464d8',
  '#4859d6',
  '#394abe',
  '#3141ab',
  '#253898',
];

const fontFamily =
  "'Inter Variable', Inter, ui-sans-serif, system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";

export const theme = createTheme({
  primaryColor: 'spark',
  colors: { spark },
  primaryShade: { light: 6, dark: 4 },
  defaultRadius: 'md',
  fontFamily,
  fontFamilyMonospace: "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace",
  headings: { fontFamily, fontWeight: '650' },
  cursorType: 'pointer',
  focusRing: 'auto',
  components: {
    Button: { defaultProps: { fw: 500 } },
    Paper: { defaultProps: { radius: 'md' } },
    Tooltip: { defaultProps: { withArrow: true, transitionProps: { duration: 120 } } },
    Modal: { defaultProps: { radius: 'md', centered: true, overlayProps: { backgroundOpacity: 0.4, blur: 2 } } },
    Card: { defaultProps: { radius: 'md', withBorder: true } },
  },
});
