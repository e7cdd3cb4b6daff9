import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider } from 'react-redux';
import { App } from './app/App.js';
import { createStore } from './app/store.js';
import './styles.css';

const store = createStore();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Provider store={store}>
      <App path={window.location.pathname} />
    </Provider>
  </StrictMode>,
);
