import { notifications } from '@mantine/notifications';
import { useNavigate, useSearchParams } from 'react-router';
import { PageHeader } from '@/components/ui/PageHeader';
import { PageLoader } from '@/components/ui/QueryStates';
import { useMe } from '@/features/auth/hooks/queries';
import { InvoiceForm } from '@/features/invoices/components/InvoiceForm';
import { useCreateInvoice } from '@/features/invoices/hooks/queries';
import { parseId } from '@/lib/ids';

export default function InvoiceNew() {
  const navigate = useNavigate();
  const [searchParams] = useSearchParams();
  const me = useMe();
  const create = useCreateInvoice();
  const clientId = parseId(searchParams.get('client_id'));

  if (me.isPending) return <PageLoader />;

  return (
    <div style={{ maxWidth: 760 }}>
      <PageHeader title="New invoice" breadcrumbs={[{ label: 'Invoices', to: '/invoices' }]} />
      <InvoiceForm
        defaultClientId={clientId}
        defaultCurrency={me.data?.account.default_currency ?? 'EUR'}
        submitLabel="Create invoice"
        onCancel={() => navigate(-1)}
        onSubmit={async (payload) => {
          const invoice = await create.mutateAsync(payload);
          notifications.show({ color: 'teal', message: `Invoice ${invoice.number} was created.` });
          navigate(`/invoices/${invoice.id}`);
        }}
      />
    </div>
  );
}
