import type { QueryClient } from '@tanstack/react-query';
import { lazy } from 'react';
import { createBrowserRouter, redirect } from 'react-router';
import { setAuthFailureHandler } from '@/api/http';
import { session } from '@/api/session';
import { prefetchDashboard } from '@/features/dashboard/hooks/queries';
import AppLayout from './AppLayout';
import RouteError from './RouteError';
import SignIn from './SignIn';
import SignUp from './SignUp';

const ResetPassword = lazy(() => import('./ResetPassword'));
const VerifyEmail = lazy(() => import('./VerifyEmail'));
const Invite = lazy(() => import('./Invite'));

const loadDashboard = () => import('./Dashboard');
const Dashboard = lazy(loadDashboard);
const ClientsList = lazy(() => import('./clients/ClientsList'));
const ClientNew = lazy(() => import('./clients/ClientNew'));
const ClientEdit = lazy(() => import('./clients/ClientEdit'));
const ClientDetail = lazy(() => import('./clients/ClientDetail'));
const InvoicesList = lazy(() => import('./invoices/InvoicesList'));
const InvoiceNew = lazy(() => import('./invoices/InvoiceNew'));
const InvoiceEdit = lazy(() => import('./invoices/InvoiceEdit'));
const InvoiceDetail = lazy(() => import('./invoices/InvoiceDetail'));
const InvoiceImport = lazy(() => import('./invoices/InvoiceImport'));
const Reminders = lazy(() => import('./Reminders'));
const Reconcile = lazy(() => import('./Reconcile'));
const Attention = lazy(() => import('./Attention'));
const Settings = lazy(() => import('./Settings'));
const AccountingCallback = lazy(() => import('./AccountingCallback'));
const Templates = lazy(() => import('./Templates'));
const NotFound = lazy(() => import('./NotFound'));

export function createAppRouter(queryClient: QueryClient) {
  // Opening the dashboard: fetch its code while the session is being restored, so its data
  // requests start as soon as the sign-in is known instead of one download later.
  if (typeof window !== 'undefined' && window.location.pathname === '/') void loadDashboard();
  const router = createBrowserRouter([
    { path: '/signin', element: <SignIn />, errorElement: <RouteError /> },
    // The names people type for the sign-in page lead to it (they fell through to 'This page doesn't exist').
    { path: '/login', loader: () => redirect('/signin') },
    { path: '/sign-in', loader: () => redirect('/signin') },
    { path: '/signup', element: <SignUp />, errorElement: <RouteError /> },
    { path: '/reset-password', element: <ResetPassword />, errorElement: <RouteError /> },
    { path: '/verify-email', element: <VerifyEmail />, errorElement: <RouteError /> },
    { path: '/invite/:token', element: <Invite />, errorElement: <RouteError /> },
    {
      path: '/',
      element: <AppLayout />,
      errorElement: <RouteError />,
      children: [
        { index: true, element: <Dashboard /> },
        { path: 'clients', element: <ClientsList /> },
        { path: 'clients/new', element: <ClientNew /> },
        { path: 'clients/:clientId', element: <ClientDetail /> },
        { path: 'clients/:clientId/edit', element: <ClientEdit /> },
        { path: 'invoices', element: <InvoicesList /> },
        { path: 'invoices/new', element: <InvoiceNew /> },
        { path: 'invoices/import', element: <InvoiceImport /> },
        { path: 'invoices/:invoiceId', element: <InvoiceDetail /> },
        { path: 'invoices/:invoiceId/edit', element: <InvoiceEdit /> },
        { path: 'reconcile', element: <Reconcile /> },
        { path: 'reminders', element: <Reminders /> },
        { path: 'attention', element: <Attention /> },
        { path: 'settings', element: <Settings /> },
        { path: 'settings/integrations/callback/:provider', element: <AccountingCallback /> },
        { path: 'templates', element: <Templates /> },
        { path: '*', element: <NotFound /> },
      ],
    },
  ]);

  // When the session can't be refreshed: forget cached data and go to sign-in, then come back.
  setAuthFailureHandler(() => {
    const { pathname, search } = router.state.location;
    queryClient.clear();
    if (['/signin', '/signup', '/reset-password', '/verify-email'].includes(pathname) || pathname.startsWith('/invite/')) return;
    void router.navigate(`/signin?next=${encodeURIComponent(`${pathname}${search}`)}`, { replace: true });
  });

  // The dashboard's figures are asked for as soon as the session is known, in parallel with /me.
  const prefetchIfHome = () => {
    if (session.status() === 'signed-in' && router.state.location.pathname === '/') prefetchDashboard(queryClient);
  };
  session.subscribe(prefetchIfHome);
  router.subscribe(prefetchIfHome);

  return router;
}
