import { notifications } from '@mantine/notifications';
import { useNavigate, useParams } from 'react-router';
import { EditPage } from '@/components/ui/EditPage';
import { NotFoundState } from '@/components/ui/QueryStates';
import { InvoiceForm } from '@/features/invoices/components/InvoiceForm';
import { useInvoice, useUpdateInvoice } from '@/features/invoices/hooks/queries';
import type { Id } from '@/api/types';
import { parseId } from '@/lib/ids';

const NOT_FOUND = { what: 'invoice', backTo: '/invoices', backLabel: 'Back to invoices' } as const;

export default function InvoiceEditRoute() {
  const invoiceId = parseId(useParams().invoiceId);
  if (invoiceId === undefined) return <NotFoundState {...NOT_FOUND} />;
  return <InvoiceEdit invoiceId={invoiceId} />;
}

function InvoiceEdit({ invoiceId }: { invoiceId: Id }) {
  const navigate = useNavigate();
  const update = useUpdateInvoice(invoiceId);
  return (
    <EditPage
      query={useInvoice(invoiceId)}
      notFound={NOT_FOUND}
      header={(invoice) => ({
        title: `Edit invoice ${invoice.number}`,
        breadcrumbs: [
          { label: 'Invoices', to: '/invoices' },
          { label: invoice.number, to: `/invoices/${invoice.id}` },
        ],
      })}
    >
      {(invoice) => (
        <InvoiceForm
          invoice={invoice}
          submitLabel="Save changes"
          onCancel={() => navigate(`/invoices/${invoice.id}`)}
          onSubmit={async (payload) => {
            await update.mutateAsync(payload);
            notifications.show({ color: 'teal', message: 'Invoice saved.' });
            navigate(`/invoices/${invoice.id}`);
          }}
        />
      )}
    </EditPage>
  );
}
