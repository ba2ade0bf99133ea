import { createTheme, type CSSVariablesResolver, type MantineColorsTuple } from '@mantine/core';

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
    Modal: {
      defaultProps: {
        radius: 'md',
        centered: true,
        overlayProps: { backgroundOpacity: 0.4, blur: 2 },
        closeButtonProps: { 'aria-label': 'Close' },
      },
    },
    Card: { defaultProps: { radius: 'md', withBorder: true } },
    Notification: { defaultProps: { closeButtonProps: { 'aria-label': 'Dismiss' } } },
  },
});

/**
 * WCAG AA (4.5:1) for small text in the light scheme. Mantine's dimmed grey (gray.6, 3.3:1 on white)
 * and the text of light badges, alerts and buttons (shade 6 on a 10% tint: 2–3.5:1) are too pale;
 * these keep the look and reach 4.5:1 or more on their tint and on the page background
 * (e2e/screens.spec.ts runs axe on every main screen).
 */
const LIGHT_TEXT: Record<string, string> = {
  red: '#c92a2a',
  teal: '#087f5b',
  yellow: '#8a5a00',
  orange: '#a63c06',
  blue: '#1864ab',
  gray: '#495057',
  spark: '#3141ab',
};

export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': '#5c636b',
    ...Object.fromEntries(Object.entries(LIGHT_TEXT).map(([color, text]) => [`--mantine-color-${color}-light-color`, text])),
  },
  dark: {},
});
